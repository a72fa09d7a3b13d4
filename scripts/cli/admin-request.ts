import { adminToken, proxyUrl } from './proxy-admin.js';
import { cliActor } from './cli-actor.js';
import type { CliIo } from './io.js';

export type AdminAnswer =
  | { ok: true; status: number; body: unknown }
  | { ok: false; reason: string };

/**
 * One call to the running proxy's admin API with the admin token, as `cli:<user>` for the
 * routing history. A proxy that is down or refuses the token is a reason a person can act on.
 */
export async function adminRequest(io: CliIo, method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = 5000): Promise<AdminAnswer> {
  const url = proxyUrl(io.env);
  const token = adminToken(io);
  const actor = cliActor(io);
  let res: Response;
  try {
    res = await fetch(`${url}/__proxy/${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        'x-strangler-actor': `${actor.kind}:${actor.name}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    const why = cause === 'ECONNREFUSED' ? 'nothing is listening' : cause === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : String(cause);
    return { ok: false, reason: `the proxy at ${url} is not reachable (${why}): rollouts run inside the proxy; start it (npm start, or npx strangler proxy), or point PROXY_URL at it` };
  }
  const text = await res.text().catch(() => '');
  if (res.status === 401 || res.status === 403) {
    return { ok: false, reason: token
      ? `the proxy at ${url} refused the admin token: set PROXY_ADMIN_TOKEN to the value it was started with`
      : `the proxy at ${url} needs the admin token: set PROXY_ADMIN_TOKEN (in development it is in data/dev-secrets.env, read from the folder you run this in)` };
  }
  try {
    return { ok: true, status: res.status, body: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, reason: `${method} /__proxy/${path} answered ${res.status} without JSON: is PROXY_URL pointing at a Strangler proxy of this version?` };
  }
}
