import type { GateReading } from '../history/index.js';
import type { RolloutState } from './rollout-phase.js';

/** One rollout as `GET /__proxy/rollouts` answers it. */
export interface RolloutJson {
  readonly route: string;
  readonly to: string;
  readonly from: string;
  readonly state: RolloutState;
  /** Index into `steps`; -1 in the shadow phase. */
  readonly step: number;
  readonly steps: readonly number[];
  /** Share of users on `to` now. */
  readonly percent: number;
  readonly every: string;
  readonly updatedAt: string;
  readonly reason: string | null;
  readonly gates: readonly GateReading[];
}

export type RolloutResult =
  | { ok: true; rollout: RolloutJson; changes: string[] }
  | { ok: false; status: 400 | 404 | 409 | 500; error: string; errors?: string[] };
