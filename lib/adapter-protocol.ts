/**
 * The small HTTP protocol between the proxy and the legacy adapter (docs/adapter-protocol.md).
 * Both sides import it, so the header, the endpoints and the answers' shapes are written once;
 * the proxy never imports the adapter's code, only this file.
 */

/** Where the adapter answers when routes.yaml (and the adapter's options) name no path. */
export const DEFAULT_ADAPTER_PATH = '/__strangler';

/** The shared key travels in this header on every call; anything else is refused with 401. */
export const ADAPTER_KEY_HEADER = 'x-strangler-adapter-key';

/** Below this, a key could be guessed: both sides refuse it (routes.yaml and stranglerAdapter). */
export const MIN_ADAPTER_KEY_BYTES = 32;

/** Endpoints under the adapter's path, by what the proxy asks. */
export const ADAPTER_ENDPOINTS = {
  /** GET: who is this session? Reads only: nothing is created, touched or saved. */
  session: '/session',
  /** POST: the session was used: let the app's session middleware move its expiry. */
  touch: '/touch',
  /** POST `{ sub, claims }`: a login answered by a jwt backend becomes a session of the app. */
  login: '/login',
  /** POST `{ cookie? }`: a logout answered by a jwt backend ends the session. */
  logout: '/logout',
} as const;

/** A session that holds a user, as the adapter reports it. */
export interface AdapterSession {
  readonly sub: string;
  readonly claims: Readonly<Record<string, unknown>>;
  /** The session cookie's expiry (epoch ms); null for a browser-session cookie (no maxAge). */
  readonly expires_at: number | null;
  /** express-session's cookie.originalMaxAge (ms); null for a browser-session cookie. */
  readonly original_max_age: number | null;
}

/** What `GET <path>/session`, `POST <path>/touch` and `POST <path>/login` answer with 200. */
export type AdapterSessionAnswer = AdapterSession | { readonly sub: null };

/** The body of `POST <path>/login`. */
export interface AdapterLoginRequest {
  readonly sub: string;
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** The body of `POST <path>/logout`: the session cookie's name, so the adapter can clear it. */
export interface AdapterLogoutRequest {
  readonly cookie?: string;
}

/** Longest `sub` either side accepts: a user id, not a document. */
export const MAX_SUB_LENGTH = 256;

/** Bodies either side reads are small JSON objects; anything larger is refused, never buffered. */
export const MAX_ADAPTER_BODY_BYTES = 64 * 1024;

/**
 * The adapter's 200 answer read defensively (the proxy must not trust shapes it did not
 * check): a session, `null` for "no user", or a reason the answer is malformed.
 */
export function parseSessionAnswer(value: unknown): { ok: true; session: AdapterSession | null } | { ok: false; reason: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'the answer is not a JSON object' };
  const answer = value as Record<string, unknown>;
  if (answer.sub === null) return { ok: true, session: null };
  if (typeof answer.sub !== 'string' || answer.sub.length === 0 || answer.sub.length > MAX_SUB_LENGTH) return { ok: false, reason: '"sub" is neither null nor a non-empty string' };
  const claims = answer.claims ?? {};
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return { ok: false, reason: '"claims" is not an object' };
  const expiresAt = answer.expires_at ?? null;
  if (expiresAt !== null && (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt))) return { ok: false, reason: '"expires_at" is neither null nor a number' };
  const maxAge = answer.original_max_age ?? null;
  if (maxAge !== null && (typeof maxAge !== 'number' || !Number.isFinite(maxAge))) return { ok: false, reason: '"original_max_age" is neither null nor a number' };
  return { ok: true, session: { sub: answer.sub, claims: claims as Record<string, unknown>, expires_at: expiresAt, original_max_age: maxAge } };
}
