import { isIP } from 'node:net';

/** The names a developer's browser uses for `npm start`; always allowed. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** Says whether a request's `Host` header names this proxy. */
export type HostCheck = (host: string | undefined) => boolean;

export type PublicHostsResult = { ok: true; hosts: string[] } | { ok: false; errors: string[] };

// A DNS name: labels of letters, digits and inner dashes.
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * Reads `PUBLIC_HOSTS` (comma-separated host names, no scheme or port): the names browsers
 * use to reach the proxy besides the loopback ones. Every bad entry is reported, with the fix.
 *
 * @example parsePublicHosts('app.example.com, 10.0.0.5') // { ok: true, hosts: ['app.example.com', '10.0.0.5'] }
 */
export function parsePublicHosts(value: string | undefined): PublicHostsResult {
  const hosts: string[] = [];
  const errors: string[] = [];
  for (const raw of (value ?? '').split(',')) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    const bare = entry.startsWith('[') && entry.endsWith(']') ? entry.slice(1, -1) : entry;
    if (isIP(bare) === 6) hosts.push(`[${bare}]`);
    else if (isIP(bare) === 4 || DNS_NAME.test(entry)) hosts.push(entry);
    else errors.push(`PUBLIC_HOSTS: "${raw.trim()}" is not a host name: list names only, without scheme, port or path, e.g. PUBLIC_HOSTS=app.example.com,10.0.0.5`);
  }
  return errors.length ? { ok: false, errors } : { ok: true, hosts };
}

/**
 * The Host check of browser-facing requests. A page on `evil.example` whose DNS answer is
 * switched to 127.0.0.1 (DNS rebinding) reaches a developer's proxy with its own name in
 * `Host`; refusing names we do not serve stops it. Compared without the port, so any port
 * of an allowed name passes; case-insensitive. One Set lookup per request.
 */
export function createHostCheck(publicHosts: readonly string[] = []): HostCheck {
  const allowed = new Set([...LOOPBACK_HOSTS, ...publicHosts]);
  return (host) => {
    if (host === undefined) return false;
    // `[::1]:5634` → `[::1]`; `localhost:5634` → `localhost`.
    const end = host.charCodeAt(0) === 0x5b /* [ */ ? host.indexOf(']') + 1 : host.indexOf(':');
    const name = end > 0 ? host.slice(0, end) : host;
    return allowed.has(name) || allowed.has(name.toLowerCase());
  };
}
