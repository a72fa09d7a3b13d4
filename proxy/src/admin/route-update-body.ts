import { z } from 'zod';
import type { RouteChange } from '../config/index.js';

const canary = z.strictObject({
  to: z.string().min(1, 'name the backend the canary sends to'),
  percent: z.number().min(0).max(100),
});

const body = z
  .strictObject({
    target: z.string().min(1, 'name a backend').optional(),
    canary: z.union([canary, z.null()]).optional(),
  })
  .refine((b) => b.target !== undefined || b.canary !== undefined, {
    message: 'send "target", "canary" or both, e.g. {"target":"new"} or {"canary":{"to":"new","percent":25}} (null removes the canary)',
  });

/** Checks the body of `PUT /__proxy/routes/:name`; every problem is named by its field. */
export function parseRouteUpdate(input: unknown): { ok: true; change: RouteChange } | { ok: false; errors: string[] } {
  const result = body.safeParse(input);
  if (result.success) {
    const { target, canary: c } = result.data;
    return { ok: true, change: { ...(target !== undefined ? { target } : {}), ...(c !== undefined ? { canary: c } : {}) } };
  }
  return { ok: false, errors: result.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`) };
}
