import { resolve } from 'node:path';
import type { RouteTable } from '../../proxy/src/config/index.js';
import { openHistoryStore, routingChanges } from '../../proxy/src/history/index.js';
import { describePhase, rolloutPhase } from '../../proxy/src/rollout/index.js';
import { cliActor } from './cli-actor.js';
import type { CliIo } from './io.js';

/**
 * Records a routing change the CLI wrote to routes.yaml in the routing history
 * (HISTORY_PATH, default data/history.db) as `cli:<user>`; the proxy, seeing the same change
 * on reload, then does not record it again as a file edit. Returns what a person should be
 * told: rollouts the change pauses, and a history that could not be written.
 */
export function recordCliChange(io: CliIo, before: RouteTable, after: RouteTable): string[] {
  const notes: string[] = [];
  const changes = routingChanges(before, after);
  for (const change of changes) {
    const route = before.routes.find((r) => r.name === change.route);
    if (!route?.rollout) continue;
    const phase = rolloutPhase(route, route.rollout);
    if (phase.state === 'shadow' || phase.state === 'canary') {
      notes.push(`${route.name} had a rollout running (${describePhase(phase, route.rollout.steps)}): the proxy pauses it now; resume it with strangler rollout ${route.name} --resume`);
    }
  }
  if (changes.length === 0) return notes;
  const file = resolve(io.cwd, io.env.HISTORY_PATH || 'data/history.db');
  try {
    const store = openHistoryStore(file);
    try {
      for (const change of changes) store.append({ ...change, actor: cliActor(io), reason: null, gates: null });
    } finally {
      store.close();
    }
  } catch (err) {
    notes.push(`the routing history ${file} was not written (${(err as Error).message}); the proxy records the change as a file edit`);
  }
  return notes;
}
