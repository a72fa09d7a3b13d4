// The test kit: every builder and helper the tests share, so no test folder keeps its own copy
// and nothing under src/ exists for tests. This index holds what most suites use; the builders
// of one part sit beside it (proxy/, mcp-server/, cli-fixture.ts, system.ts, process-system.ts).
// Tests wait with waitFor(check, what, ms), never a fixed sleep: the machine is shared.
export { startServer, type RunningServer } from './server.js';
export { tempDir } from './temp.js';
export { ApiClient, type ClientResponse, type RequestOptions } from './client.js';
export { startLegacy, TEST_ADMIN, TEST_SESSION_SECRETS, type RunningLegacy, type StartLegacyOptions } from './legacy.js';
export { uniqueName } from './unique.js';
export { launchBrowser, CHROMIUM_PATH } from './browser.js';
export { startNewBackend, bearer, TEST_JWT_SECRETS, NEW_BACKEND_ADMIN, type RunningNewBackend, type NewBackendUser, type StartNewBackendOptions } from './new-backend.js';
export { freePorts } from './ports.js';
export { runProcess, runTsx, type WatchedProcess } from './process.js';
export { startRedisServer, type RunningRedis } from './redis-server.js';
export { flipUnderLoad, type FlipUnderLoadResult, type LoopingUser } from './flip-under-load.js';
export { waitFor } from './wait-for.js';
export { expressSessionMaxAge } from './express-session.js';
