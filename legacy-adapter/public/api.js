// The only way the page talks to the server: the frontend contract, JSON and the session cookie.

/** An answer that is not 2xx, carrying the contract's `{"error": …}` message. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** fetch with the session cookie, JSON in and out; a failure becomes an ApiError a person can read. */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'Cannot reach the server. Check that it is running, then try again.');
  }
  const text = res.status === 204 ? '' : await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const message = data && typeof data.error === 'string' ? data.error : `The server answered ${res.status} ${res.statusText || ''}`.trim();
    throw new ApiError(res.status, message);
  }
  return data;
}
