import express, { Router } from 'express';
import { z } from 'zod';
import { actorFromHeader } from '../history/index.js';
import type { RolloutEngine } from './rollout-engine.js';

const start = z.strictObject({
  action: z.literal('start'),
  to: z.string().min(1, 'name the backend to roll out to, e.g. "to": "new"'),
  steps: z.array(z.number()).min(1).optional(),
  every: z.string().min(1).optional(),
  window: z.string().min(1).optional(),
  passes: z.number().int().min(1).max(100).optional(),
  gates: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
const steer = z.strictObject({ action: z.enum(['pause', 'resume', 'abort']) });
const body = z.union([start, steer]);

/**
 * `GET /__proxy/rollouts` lists every rollout with its gates; `POST /__proxy/rollouts/:route`
 * with `{"action":"start","to":"new",…}` or `{"action":"pause"|"resume"|"abort"}` steers one.
 */
export function createRolloutsRouter(engine: RolloutEngine): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.json({ rollouts: engine.list() });
  });
  router.post('/:route', express.json({ limit: '16kb' }), (req, res) => {
    const route = String(req.params.route);
    const parsed = body.safeParse(req.body);
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`);
      res.status(400).json({ error: `invalid rollout action for ${route}: send {"action":"start","to":"new"} (optional "steps":[1,5,25,50,100], "every":"10m", "gates":{"error-rate":"1%"}) or {"action":"pause"|"resume"|"abort"}`, errors });
      return;
    }
    const actor = actorFromHeader(req.headers['x-strangler-actor']);
    const action = parsed.data;
    const result = action.action === 'start'
      ? engine.start(route, { to: action.to, steps: action.steps, every: action.every, window: action.window, passes: action.passes, gates: action.gates }, actor)
      : engine[action.action](route, actor);
    if (!result.ok) {
      res.status(result.status).json({ error: result.error, ...(result.errors ? { errors: result.errors } : {}) });
      return;
    }
    res.json({ ...result.rollout, changes: result.changes });
  });
  return router;
}
