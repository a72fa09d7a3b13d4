import { ADAPTER_ENDPOINTS, ADAPTER_KEY_HEADER, parseSessionAnswer } from '../../../lib/adapter-protocol.js';
import type { BackendConfig } from '../../../proxy/src/config/index.js';
import { describeFetchError, fail, pass, type Check } from './check.js';

/**
 * The adapter source: `GET <path>/session` with the key answers 200 with a session answer
 * (the adapter is mounted and holds the same key), and without the key answers 401 (it is
 * the adapter that answered, and it guards its endpoints). With no cookie the answer is
 * `{"sub": null}`: nothing about any session is read.
 */
export async function checkAdapter(backend: BackendConfig, timeoutMs: number): Promise<Check> {
  const what = 'adapter';
  const at = `backends.${backend.name}.session.adapter`;
  const adapter = backend.session?.adapter;
  if (!adapter) return fail(what, `no ${at} block`, `add ${at}: { key: \${STRANGLER_ADAPTER_KEY} }`);
  const url = new URL(adapter.path + ADAPTER_ENDPOINTS.session, backend.url);
  const mount = `mount stranglerAdapter({ key, identify${adapter.path === '/__strangler' ? '' : `, path: '${adapter.path}'`} }) at the app's root, after session() (and passport.session()), with the same key as ${at}.key`;
  const get = async (headers: Record<string, string>) => {
    const res = await fetch(url, { headers: { accept: 'application/json', ...headers }, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let body: unknown = text.slice(0, 200);
    try { body = JSON.parse(text); } catch { /* kept as text */ }
    return { status: res.status, body };
  };
  let keyed: { status: number; body: unknown };
  try {
    keyed = await get({ [ADAPTER_KEY_HEADER]: adapter.key });
  } catch (err) {
    return fail(what, `GET ${url.pathname} gets no answer: ${describeFetchError(err, timeoutMs)}`, `start the ${backend.name} app (the adapter answers inside it)`);
  }
  const message = (body: unknown) => (typeof body === 'object' && body !== null && 'error' in body ? String((body as { error: unknown }).error) : JSON.stringify(body));
  if (keyed.status === 401) return fail(what, `GET ${url.pathname} refused the key (401)`, `give the app's stranglerAdapter the same key as ${at}.key (STRANGLER_ADAPTER_KEY on both sides)`);
  if (keyed.status === 404 || keyed.status === 405) return fail(what, `nothing answers GET ${url.pathname} (${keyed.status})`, mount);
  if (keyed.status >= 500) return fail(what, `GET ${url.pathname} answered ${keyed.status}: ${message(keyed.body)}`, 'fix what the message names (an adapter mounted before session() says so)');
  if (keyed.status !== 200) return fail(what, `GET ${url.pathname} answered ${keyed.status}: ${message(keyed.body)}`, `${mount}; mount it before CSRF checks and rate limiters, which refuse or count the proxy's calls`);
  const parsed = parseSessionAnswer(keyed.body);
  if (!parsed.ok) return fail(what, `GET ${url.pathname} answered 200, but ${parsed.reason}`, `the path is not stranglerAdapter's: set ${at}.path to the adapter's path option`);
  let bare: { status: number; body: unknown };
  try {
    bare = await get({});
  } catch (err) {
    return fail(what, `GET ${url.pathname} without the key gets no answer: ${describeFetchError(err, timeoutMs)}`, `check the ${backend.name} app stays up`);
  }
  if (bare.status !== 401) {
    return fail(what, `GET ${url.pathname} without the key answered ${bare.status}, not 401: something answers it before the adapter's key check`, `${mount}; nothing else may answer ${adapter.path}`);
  }
  return pass(what, `${url.pathname} answers 200 with the key and 401 without: mounted, same key`);
}
