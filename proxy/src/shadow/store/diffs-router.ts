import { Router, type Request, type Response } from 'express';
import type { DiffQueries } from './diff-queries.js';
import { parseSince } from './parse-since.js';

/**
 * `/__proxy/diffs`: the same summary as `strangler diff-report --json`. Mounted by the
 * proxy under its admin token.
 *
 *   GET /diffs?route=users&since=1h          per-route summary
 *   GET /diffs/mismatches?route=users&limit=20   newest mismatches with both answers
 */
export function createDiffsRouter(store: DiffQueries, clock: () => number = Date.now): Router {
  const router = Router();
  router.get('/', (req, res) => {
    const q = readQuery(req, res, clock);
    if (!q) return;
    res.json(store.summary({ ...q, topPaths: numberParam(req.query.top, 10, 100), samples: numberParam(req.query.samples, 3, 50) }));
  });
  router.get('/mismatches', (req, res) => {
    const route = typeof req.query.route === 'string' ? req.query.route : '';
    if (!route) {
      res.status(400).json({ error: 'route is required: /__proxy/diffs/mismatches?route=users' });
      return;
    }
    res.json(store.mismatches(route, numberParam(req.query.limit, 20, 100)));
  });
  return router;
}

function readQuery(req: Request, res: Response, clock: () => number): { route?: string; since?: number } | undefined {
  const out: { route?: string; since?: number } = {};
  if (typeof req.query.route === 'string' && req.query.route) out.route = req.query.route;
  if (typeof req.query.since === 'string' && req.query.since) {
    const since = parseSince(req.query.since, clock());
    if (!since.ok) {
      res.status(400).json({ error: since.reason });
      return undefined;
    }
    out.since = since.at;
  }
  return out;
}

function numberParam(value: unknown, fallback: number, max: number): number {
  const n = typeof value === 'string' ? Number.parseInt(value, 10) : Number.NaN;
  return Number.isInteger(n) && n > 0 ? Math.min(n, max) : fallback;
}
