// diffs.db: the comparisons' rows, their queries, and the admin API that reads them.
export { createDiffStore, openDiffStore, type DiffSink, type DiffStore, type DiffStoreOptions } from './diff-store.js';
export { openDiffReader } from './open-diff-reader.js';
export type { DiffReport, RouteSummary, SummaryQuery, StoredMismatch } from './diff-queries.js';
export type { DiffRecord, Exchange, StoredAnswer, StoredRequest, ShadowErrorKind } from './diff-record.js';
export { capturedFromStored, storedAnswer } from './stored-exchange.js';
export { createDiffsRouter } from './diffs-router.js';
export { parseSince } from './parse-since.js';
