// The diff engine: two captured answers in, their differences out. Pure: no I/O, no clock.
export { createDiffer, diffResponses, type CapturedResponse, type DiffOptions, type DiffResult, type Differ, type Exclusions } from './diff.js';
export type { Difference, DifferenceKind } from './difference.js';
export { compileIgnore, parseIgnorePattern, type IgnoreMatcher } from './ignore-pattern.js';
export { formatPath, generalizePath } from './json-path.js';
export { NoiseBook, sampleNoise, type NoiseEntry } from './noise.js';
