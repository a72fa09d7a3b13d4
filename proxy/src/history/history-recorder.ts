import type { Logger } from '../../../lib/logger.js';
import type { RouteTable } from '../config/index.js';
import { FILE_EDIT_ACTOR, type Actor, type GateReading } from './history-entry.js';
import type { HistoryStore } from './history-store.js';
import { routingChanges, sameRouting, type RoutingChange } from './routing-changes.js';

/** Who made a change the proxy applies itself (admin API, rollout), and why. */
export interface Attribution {
  readonly actor: Actor;
  readonly reason?: string | null;
  readonly gates?: readonly GateReading[] | null;
}

export interface HistoryRecorder {
  /**
   * A new table is in force. With an attribution the changes are written at once; without,
   * they come from an edit of the file, and are written as `file-edit` after a grace period
   * unless another process (a CLI cutover) has meanwhile recorded the same change itself.
   */
  tableChanged(before: RouteTable, after: RouteTable, attribution?: Attribution): void;
  /** Writes what is pending (shutdown). */
  flush(): void;
}

/** How far back an entry from another process may lie and still explain a file change. */
const MATCH_LOOKBACK_MS = 60_000;

export function createHistoryRecorder(store: HistoryStore, options: { graceMs?: number; clock?: () => number; logger?: Logger } = {}): HistoryRecorder {
  const graceMs = options.graceMs ?? 2000;
  const clock = options.clock ?? Date.now;
  const pending = new Set<{ changes: RoutingChange[]; at: number; timer: NodeJS.Timeout }>();

  function append(change: RoutingChange, attribution: Attribution, at: number): void {
    try {
      store.append({ ...change, actor: attribution.actor, reason: attribution.reason ?? null, gates: attribution.gates ?? null }, at);
    } catch (err) {
      options.logger?.error({ err, route: change.route }, `routing history: could not record "${change.change}"; check HISTORY_PATH is writable`);
    }
  }

  function settle(item: { changes: RoutingChange[]; at: number }): void {
    for (const change of item.changes) {
      const recent = store.list({ route: change.route, sinceMs: item.at - MATCH_LOOKBACK_MS, limit: 10 });
      const explained = recent.some((e) => e.actor.kind !== 'file-edit' && sameRouting(e.to, change.to));
      if (!explained) append(change, { actor: FILE_EDIT_ACTOR, reason: 'routes.yaml changed on disk' }, item.at);
    }
  }

  return {
    tableChanged(before, after, attribution) {
      const changes = routingChanges(before, after);
      if (changes.length === 0) return;
      const at = clock();
      if (attribution) {
        for (const change of changes) append(change, attribution, at);
        return;
      }
      const item = {
        changes, at,
        timer: setTimeout(() => {
          pending.delete(item);
          settle(item);
        }, graceMs),
      };
      item.timer.unref();
      pending.add(item);
    },
    flush() {
      for (const item of pending) {
        clearTimeout(item.timer);
        settle(item);
      }
      pending.clear();
    },
  };
}
