// `strangler replay`: a recording sent to both backends on database copies (docs/replay.md).
export { runReplay, type ReplayOptions, type ReplayOutcome, type ReplayProgress } from './replay-run.js';
export { replayPassed, type ReplayReport, type ReplayMode, type ExchangeMismatch, type DifferingPath } from './replay-report.js';
export { compareDatabases, type DatabaseComparison, type TableDifference } from './compare-databases.js';
export type { ReplayBlock } from './replay-schema.js';
