import type { Difference } from '../shadow/diff/index.js';
import type { DatabaseComparison } from './compare-databases.js';

export type ReplayMode = 'compare' | 'rollback-check';

/** One exchange whose two answers differ (or one side gave none). */
export interface ExchangeMismatch {
  readonly seq: number;
  readonly route: string;
  readonly method: string;
  readonly path: string;
  readonly user: string | null;
  readonly statuses: readonly [number, number];
  readonly differences: readonly Difference[];
  /** A side that gave no answer at all. */
  readonly error?: string;
}

export interface DifferingPath {
  /** A JSON path with indexes generalised (`$[*].email`), or `status`, `content-type`, `body`. */
  readonly path: string;
  readonly route: string;
  readonly count: number;
  /** The first exchange it was seen in. */
  readonly seq: number;
}

export interface ReplayReport {
  readonly mode: ReplayMode;
  readonly recording: { readonly file: string; readonly id: string; readonly route: string; readonly exchanges: number };
  /** The backup the copies were made from (the original database is only read). */
  readonly backup: string;
  /** The two sides compared, e.g. ["legacy", "new"] or ["legacy", "rollback"]. */
  readonly sides: readonly [string, string];
  readonly answers: {
    /** Exchanges sent to both sides. */
    readonly replayed: number;
    /** Exchanges whose answers were compared (in a rollback check: the reads). */
    readonly compared: number;
    readonly matched: number;
    readonly mismatched: number;
    /** Exchanges not sent: a body too long to have been recorded. */
    readonly skipped: number;
    /** matched / compared, or null when nothing was compared. */
    readonly matchRate: number | null;
    readonly paths: readonly DifferingPath[];
    /** The first mismatches in full. */
    readonly mismatches: readonly ExchangeMismatch[];
  };
  readonly tables: DatabaseComparison;
  readonly warnings: readonly string[];
  readonly durationMs: number;
}

/** The verdict `--fail-under` gates on: the answers' match rate and, outside a rollback check, no differing table. */
export function replayPassed(report: ReplayReport, failUnderPercent: number): boolean {
  const rate = report.answers.matchRate === null ? 1 : report.answers.matchRate;
  const answersOk = rate * 100 >= failUnderPercent - 1e-9;
  return answersOk && (report.mode === 'rollback-check' || report.tables.differences.length === 0);
}
