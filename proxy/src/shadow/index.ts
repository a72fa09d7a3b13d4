// Shadow traffic, by concept: diff/ (the engine), store/ (diffs.db), mirror/ (copies and the
// shadow thread). Fixtures (fixture/) are imported on their own: the proxy never needs them.
export * from './diff/index.js';
export * from './store/index.js';
export * from './mirror/index.js';
