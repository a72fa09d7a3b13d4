// Mirroring: deciding which requests get a copy, teeing their bodies, and the shadow thread
// that sends, compares and stores the copies.
export { createShadower, SHARED_DATABASE, type Shadower, type ShadowerDeps, type ShadowerOptions } from './shadower.js';
export type { AuthorizeShadow, BodyCopy, HeaderChanges, MirrorStart, ShadowBackend, ShadowSettings, ShadowTap } from './shadow-settings.js';
export { createShadowMetrics, type ShadowMetrics, type ShadowResult } from './shadow-metrics.js';
export { createShadowExtension, type ShadowExtension, type ShadowExtensionOptions } from './shadow-extension.js';
export { startShadowThread, type ShadowThread, type ShadowThreadOptions, type RaceContext, type RaceJudge } from './shadow-thread.js';
export { WriteLog, type WriteLogOptions } from './write-log.js';
export type { MirrorOutcome } from './shadow-job.js';
