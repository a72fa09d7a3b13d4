import type { DiffStore } from '../shadow/index.js';
import type { MatchCounts } from './rollout-engine.js';

/**
 * The match-rate gate's input from the shadow comparisons store: comparisons of a route
 * since a moment, raced ones left out (a write went through meanwhile, so the backends may
 * have read different data), shadow copies that failed counted as mismatches.
 */
export function matchCountsFrom(diffs: Pick<DiffStore, 'summary'>): MatchCounts {
  return (route, sinceMs) => {
    const summary = diffs.summary({ route, since: sinceMs, topPaths: 0, samples: 0 }).routes[0];
    return summary ? { judged: summary.shadowed - summary.raced, matched: summary.matched } : undefined;
  };
}
