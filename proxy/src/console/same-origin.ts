import type { IncomingHttpHeaders } from 'node:http';

export type OriginVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Whether an unsafe request comes from a page of this very origin. Browsers send `Origin`
 * on every POST, PUT, PATCH and DELETE, and `Sec-Fetch-Site` on every request; a request
 * with neither did not come from a browser page of ours, so it is refused too.
 *
 * @example
 * checkSameOrigin({ origin: 'http://127.0.0.1:5634' }, 'http://127.0.0.1:5634') // { ok: true }
 */
export function checkSameOrigin(headers: IncomingHttpHeaders, expectedOrigin: string): OriginVerdict {
  const site = single(headers['sec-fetch-site']);
  const origin = single(headers.origin);
  if (site !== undefined && site !== 'same-origin') {
    return { ok: false, reason: `Cross-site request refused (Sec-Fetch-Site: ${site}): console actions are taken from the console page at ${expectedOrigin}/__proxy/ui` };
  }
  if (origin !== undefined && origin !== expectedOrigin) {
    // The page is https but the proxy sees plain http: TLS ends in front of it, unannounced.
    const tlsInFront = origin.startsWith('https://') && expectedOrigin.startsWith('http://') && origin.slice(8) === expectedOrigin.slice(7);
    const fix = tlsInFront ? 'TLS is terminated in front of the proxy: set COOKIE_SECURE=true so the proxy knows its pages are https' : `take the action from ${expectedOrigin}/__proxy/ui`;
    return { ok: false, reason: `Cross-origin request refused: Origin ${origin} is not this console's (${expectedOrigin}); ${fix}` };
  }
  if (origin === undefined && site === undefined) {
    return { ok: false, reason: 'Request refused: it carries neither Origin nor Sec-Fetch-Site, so it cannot be told apart from a cross-site one; use the console page, or the admin API with Authorization: Bearer <PROXY_ADMIN_TOKEN>' };
  }
  return { ok: true };
}

/** The origin a browser names for this server: scheme from TLS (own or in front), host from `Host`. */
export function ownOrigin(host: string | undefined, https: boolean): string {
  return `${https ? 'https' : 'http'}://${(host ?? '').toLowerCase()}`;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
