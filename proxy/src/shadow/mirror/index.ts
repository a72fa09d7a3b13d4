// Mirroring: deciding which requests get a copy, teeing their bodies, and the shadow thread
// that sends, compares and stores the copies.
export { createShadower, type Shadower, type ShadowerDeps, type ShadowerOptions } from './shadower.js';
export type { AuthorizeShadow, BodyCopy, HeaderChanges, MirrorStart, ShadowBackend, ShadowSettings, ShadowTap } from './shadow-settings.js';
export { createShadowMetrics, type ShadowMetrics, type ShadowResult } from './shadow-metrics.js';
export { createShadowExtension, type ShadowExtension, type ShadowExtensionOptions } from './shadow-extension.js';
