// Rollouts: a route's canary stepped up on evidence, judged in the proxy (gates), written to
// routes.yaml at every step.
export { createRolloutEngine, type RolloutEngine, type RolloutEngineDeps, type MatchCounts, type WriteRollout } from './rollout-engine.js';
export type { RolloutCommands } from './rollout-commands.js';
export { createRolloutsRouter } from './rollouts-router.js';
export { matchCountsFrom } from './match-counts.js';
export { rolloutPhase, describePhase, type RolloutPhase, type RolloutState } from './rollout-phase.js';
export type { RolloutJson, RolloutResult } from './rollout-json.js';
export type { StartRequest } from './plan-start.js';
export { evaluateGates, overall, describeReading, LATENCY_SAMPLES } from './evaluate-gates.js';
export { judgeRate, judgeShare, judgeLatencyRatio, MIN_BAD_TO_FAIL, type Verdict, type GateStatus } from './judge.js';
export { wilson, samplesToClaim, Z95 } from './wilson.js';
