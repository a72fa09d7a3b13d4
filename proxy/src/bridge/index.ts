// The session ↔ JWT bridge: the extension, the session sources it reads through, the tokens
// it signs, and the pure rules it follows.
export { createSessionBridge, type SessionBridge, type SessionBridgeDeps, type SessionBridgeOptions } from './session-bridge.js';
export { openSessionBridge, secretProblems, type OpenSessionBridgeOptions } from './open-session-bridge.js';
export { openSessionSources, type SessionBinding, type SessionSources } from './session-sources.js';
export type { FindResult, SessionSource, SourceRequest, LoginResult } from './sources/session-source.js';
export type { SessionStore, StoredSession } from './sources/session-store.js';
export { storeSessionSource } from './sources/store-source.js';
export { createSqliteSessionStore } from './sources/sqlite-store.js';
export { openKeyFileSigner, secretSigner, type BridgeSigner } from './tokens/bridge-signer.js';
export { readKeyFile, rotateKeyFile, RETIRED_KEY_GRACE_MS } from './tokens/signing-keys.js';
export { BRIDGE_TOKEN_MAX_TTL_SEC, canReuse, tokenExpiry, touchedExpiry, type CachedToken, type LiveSession } from './bridge-policy.js';
export { withoutSessionCookie, withSessionSetCookie } from './cookie-header.js';
export { BRIDGE_EVENTS, type BridgeEvent } from './bridge-metrics.js';
