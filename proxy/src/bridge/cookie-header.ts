import { SESSION_COOKIE_NAME } from '../../../lib/legacy-session/session-cookie.js';

const SESSION_PAIR = `${SESSION_COOKIE_NAME}=`;

/**
 * A Cookie header without the session cookie (every occurrence), or undefined when nothing
 * else is left. A `jwt` backend authenticates by the bridged token alone, so the session
 * cookie, a credential it has no use for, never reaches it (or its logs).
 */
export function withoutSessionCookie(header: string): string | undefined {
  if (!header.includes(SESSION_PAIR)) return header;
  const kept = header.split(';').map((pair) => pair.trim()).filter((pair) => pair !== '' && !pair.startsWith(SESSION_PAIR));
  return kept.length ? kept.join('; ') : undefined;
}

/**
 * The Set-Cookie list with `value` as the only session cookie: whatever a backend set for
 * `connect.sid` is replaced, so the browser gets exactly one (the contract's logout sends
 * exactly one clearing cookie).
 */
export function withSessionSetCookie(existing: string | string[] | undefined, value: string): string[] {
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
  return [...list.filter((c) => !c.trimStart().startsWith(SESSION_PAIR)), value];
}
