// routes.yaml: parsing, matching, canary choice, file editing. Pure apart from the file helpers.
export type {
  BackendAuth, BackendConfig, SessionConfig, SessionSourceKind, TokensConfig, CanaryConfig, ShadowConfig, RouteConfig, RouteMatch, RouteTable, LoadResult,
} from './types.js';
export { parseRouteTable, loadRouteTable, type ParseOptions } from './parse-route-table.js';
export { normalizeRequestPath, type NormalizedPath } from './normalize-request-path.js';
export { canaryBucket, canaryIdentity, chooseBackend, type BackendChoice, type ChoiceKind } from './canary.js';
export { updateRouteInFile, updateRoutesInFile, type UpdateResult } from './update-route-in-file.js';
export { editRoutesText, type RouteChange, type RouteEdit, type EditResult } from './edit-routes.js';
export { diffTables, diffRouting } from './diff-tables.js';
export { routeTableToJson, type RouteTableJson, type RouteJson, type ShadowJson } from './route-table-json.js';
export { expandEnv } from './expand-env.js';
export { SESSION_SOURCES } from './check-session.js';
export { writeFileAtomic } from './atomic-write.js';
export {
  GATE_NAMES, DEFAULT_GATES, DEFAULT_STEPS, DEFAULT_EVERY, DEFAULT_PASSES, parseGateValue, parseGateList,
  type GateKey, type GateSettings, type RolloutConfig, type RolloutHold, type RolloutBlock,
} from './rollout-settings.js';
