export { startServer, type RunningServer } from './server.js';
export { tempDir } from './temp.js';
export { ApiClient, type ClientResponse, type RequestOptions } from './client.js';
export { startLegacy, TEST_ADMIN, TEST_SESSION_SECRETS, type RunningLegacy, type StartLegacyOptions } from './legacy.js';
export { uniqueName } from './unique.js';
export { launchBrowser, CHROMIUM_PATH } from './browser.js';
export { startNewBackend, bearer, TEST_JWT_SECRETS, NEW_BACKEND_ADMIN, type RunningNewBackend, type NewBackendUser, type StartNewBackendOptions } from './new-backend.js';
export { freePorts } from './ports.js';
export { runProcess, runTsx, type WatchedProcess } from './process.js';
