// The adapter middleware a team mounts in its own legacy app (DESIGN §10); the package
// exports this file as `<name>/legacy-adapter`.
export { stranglerAdapter } from './strangler-adapter.js';
export type { StranglerAdapterOptions, AdapterIdentity } from './adapter-options.js';
