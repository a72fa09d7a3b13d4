import type { RolloutConfig, RouteConfig } from '../config/index.js';

/** The states `GET /__proxy/rollouts` reports. */
export type RolloutState = 'shadow' | 'canary' | 'new' | 'paused' | 'demoted';

export interface RolloutPhase {
  readonly state: RolloutState;
  /** Index into `steps`; -1 before the first (shadow). */
  readonly step: number;
  /** Share of users the rollout's backend answers now. */
  readonly percent: number;
  /** The route's routing is not one the rollout writes (a canary between steps, or to another backend): a person changed it. */
  readonly offStep: boolean;
}

/**
 * Where a rollout stands, read from the route alone, so the file is the truth and a
 * restarted proxy resumes where it stopped: no canary is the shadow phase, a canary at one
 * of the steps is that step, the target on `to` is done; `state:` says paused or demoted.
 *
 * @example
 * rolloutPhase({ target: 'legacy', canary: { to: 'new', percent: 25 }, … }, { steps: [1, 5, 25, 50, 100], … })
 * // { state: 'canary', step: 2, percent: 25, offStep: false }
 */
export function rolloutPhase(route: RouteConfig, rollout: RolloutConfig): RolloutPhase {
  const onTo = route.target === rollout.to;
  const canary = route.canary;
  const percent = onTo ? 100 : canary && canary.to === rollout.to ? canary.percent : 0;
  const index = rollout.steps.indexOf(percent);
  const step = onTo ? rollout.steps.length - 1 : canary ? index : -1;
  const offStep = !onTo && canary !== undefined && (canary.to !== rollout.to || index < 0);
  if (rollout.state === 'paused') return { state: 'paused', step, percent, offStep };
  if (rollout.state === 'demoted') return { state: 'demoted', step, percent, offStep };
  if (rollout.state === 'done' || onTo) return { state: 'new', step, percent, offStep: false };
  return { state: canary ? 'canary' : 'shadow', step, percent, offStep };
}

/** The highest step at or under `percent` (-1: none), where a resumed rollout picks up. */
export function stepAtOrBelow(steps: readonly number[], percent: number): number {
  let at = -1;
  for (const [i, s] of steps.entries()) if (s <= percent) at = i;
  return at;
}

/** `canary step 2 of 5 (5 %)`, `shadow`, `new`. */
export function describePhase(phase: RolloutPhase, steps: readonly number[]): string {
  if (phase.state === 'canary') return `canary step ${phase.step + 1} of ${steps.length} (${phase.percent} %)`;
  return phase.state;
}
