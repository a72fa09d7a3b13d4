// The session ↔ JWT bridge: the extension, its store seam and SQLite implementation, and
// the pure rules it follows.
export { createSessionBridge, type SessionBridge, type SessionBridgeDeps, type SessionBridgeOptions, type TokenMinter } from './session-bridge.js';
export { openSessionBridge, secretProblems, type OpenSessionBridgeOptions } from './open-session-bridge.js';
export { createSqliteBridgeSessions } from './sqlite-bridge-sessions.js';
export type { BridgeSessions, FindResult } from './bridge-sessions.js';
export { BRIDGE_TOKEN_MAX_TTL_SEC, canReuse, tokenExpiry, touchedExpiry, type CachedToken, type LiveSession } from './bridge-policy.js';
export { withoutSessionCookie, withSessionSetCookie } from './cookie-header.js';
export { BRIDGE_EVENTS, type BridgeEvent } from './bridge-metrics.js';
