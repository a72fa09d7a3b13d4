// The console's calls to the admin API. The browser sends the session cookie by itself; the
// page adds the session's CSRF token to every call and names itself for the history.

let csrfToken = '';

export function setCsrfToken(token) {
  csrfToken = token ?? '';
}

/** The console's own actor name in the routing history. */
export const ACTOR = 'console:admin';

/**
 * One call; never throws. → { ok, status, body, error } where `error` is the server's
 * message (its `{"error": …}`) or what went wrong on the way.
 */
export async function call(method, path, body) {
  const headers = { accept: 'application/json', 'x-csrf-token': csrfToken, 'x-strangler-actor': ACTOR };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
  } catch (err) {
    return { ok: false, status: 0, body: undefined, error: `the proxy did not answer (${err.message}); is it running?` };
  }
  let parsed;
  try {
    parsed = await res.json();
  } catch {
    parsed = undefined;
  }
  const error = res.ok ? undefined : (parsed && typeof parsed.error === 'string' ? parsed.error : `${method} ${path} answered ${res.status}`);
  return { ok: res.ok, status: res.status, body: parsed, error };
}
