// The proxy's public surface: the factory, the file watcher, and the extension seams.
export { createProxy, type Proxy, type ProxyOptions, type ProxyDeps, type CreateProxyResult } from './create-proxy.js';
export { watchRoutesFile, type RoutesFileWatcher, type WatchOptions } from './watch-routes-file.js';
export type { ProxyExtension, UpstreamResponse } from './extension.js';
export { DEFAULT_ROUTE, type ForwardContext, type ForwardOutcome } from './forward-context.js';
export { identifyBySessionOrAddress, sessionIdFromCookieHeader, type Identify } from './identify.js';
export { teeStream, type TeedBody } from './tee-stream.js';
export { classifyUpstreamError, type UpstreamErrorKind, type UpstreamFailure } from './upstream-error.js';
export type { ReloadResult } from './route-table-source.js';
export type { RoutingState } from './routing-state.js';
export type { UpgradeListener } from './upgrade-handler.js';
