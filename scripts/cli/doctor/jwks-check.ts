import type { RouteTable } from '../../../proxy/src/config/index.js';
import { describeFetchError, fail, pass, type Check } from './check.js';

/**
 * Whether the running proxy publishes the keys its bridged tokens verify with: GET
 * `/__proxy/jwks.json` answers at least one key. With `tokens.alg: HS256` backends verify
 * with JWT_SECRET and nothing is published, by design.
 */
export async function checkJwks(table: RouteTable, proxyUrl: string, timeoutMs: number): Promise<Check> {
  const what = 'jwks';
  if (table.tokens.alg === 'HS256') return pass(what, 'tokens.alg is HS256: no keys are published by design; jwt backends verify with JWT_SECRET');
  const url = `${proxyUrl}/__proxy/jwks.json`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    return fail(what, `${url}: ${describeFetchError(err, timeoutMs)}`, 'start the proxy (npx strangler proxy), or set PROXY_URL (or PROXY_PORT) to where it runs');
  }
  const text = await res.text().catch(() => '');
  if (res.status !== 200) return fail(what, `${url} answered ${res.status}`, 'PROXY_URL must point at a Strangler proxy of this version (it serves the JWKS openly)');
  let keys: Array<{ kid?: unknown; alg?: unknown }>;
  try {
    const body = JSON.parse(text) as { keys?: unknown };
    if (!Array.isArray(body.keys)) throw new Error('no keys array');
    keys = body.keys as Array<{ kid?: unknown; alg?: unknown }>;
  } catch {
    return fail(what, `${url} did not answer a JWKS document`, 'PROXY_URL must point at a Strangler proxy of this version');
  }
  if (keys.length === 0) {
    return fail(what, `${url} publishes no key, while routes.yaml says tokens.alg ${table.tokens.alg}`,
      `the running proxy signs HS256 or was started with another routes file: restart it with this file, and check its key file (npx strangler keys list)`);
  }
  return pass(what, `${url}: ${keys.length} key${keys.length === 1 ? '' : 's'} (${keys.map((k) => `${String(k.kid)} ${String(k.alg ?? '')}`.trim()).join(', ')})`);
}
