import type { RolloutConfig, RouteConfig } from '../config/index.js';
import type { RolloutEdit } from '../config/edit-rollout.js';

/** The edit that puts a route at step `index` (-1: shadow; the last: the target moves, and the rollout is done). */
export function stepEdit(route: string, rollout: RolloutConfig, index: number): RolloutEdit {
  const percent = index < 0 ? 0 : (rollout.steps[index] as number);
  if (percent >= 100) return { route, change: { target: rollout.to, canary: null }, rollout: { state: 'done' } };
  return { route, change: { canary: index < 0 ? null : { to: rollout.to, percent } } };
}

/** A rollout starts by judging shadow comparisons only when it has a match-rate gate and the route shadows to its backend. */
export function hasShadowPhase(route: RouteConfig, rollout: RolloutConfig): boolean {
  return rollout.gates.matchRate !== undefined && route.shadow?.to === rollout.to;
}
