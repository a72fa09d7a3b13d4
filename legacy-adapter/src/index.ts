// What other components import from the legacy side: the proxy's session bridge needs the
// cookie codec and the store; tests and tools build the app itself.
export {
  SESSION_COOKIE_NAME,
  SESSION_MAX_AGE_MS,
  readSessionId,
  signSessionId,
  serializeSessionCookie,
  clearSessionCookie,
  newSessionData,
  sessionExpiry,
  sessionCookieOptions,
  type SessionData,
  type StoredCookie,
  type UnsignResult,
} from '../../lib/legacy-session/session-cookie.js';
export { SqliteSessionStore, type SessionLookup, type SessionWriter } from '../../lib/legacy-session/session-store.js';
export { createLegacySchema, LEGACY_SCHEMA } from './schema.js';
export { createLegacyApp, type LegacyApp, type LegacyAppDeps } from './legacy-app.js';
export type { LegacyContext, LegacyExtension, LegacyExtensionFactory, UpgradeHandler } from './legacy-context.js';
export { seedAdminIfEmpty, type AdminAccount } from './seed-admin.js';
export { toPublicUser, type PublicUser, type UserRow } from './users/user-store.js';
