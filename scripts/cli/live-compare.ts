import type { CapturedResponse } from '../../proxy/src/shadow/index.js';

/** A backend the CLI talks to directly; `source` says where its URL came from, for messages. */
export interface LiveBackend {
  readonly name: string;
  readonly url: URL;
  readonly source: string;
  /** The variable that points the CLI elsewhere (LEGACY_URL, NEW_BACKEND_URL). */
  readonly envVar: string | undefined;
  readonly auth: 'session' | 'jwt' | undefined;
}

export interface LiveRequest {
  readonly method: string;
  /** Path and query. */
  readonly path: string;
  readonly body?: string;
  readonly contentType?: string;
}

/** How a request is authenticated: a session cookie, a bearer token, or both. */
export interface LiveAuth {
  readonly cookie?: string;
  readonly bearer?: string;
}

export type Live<T> = { ok: true; value: T } | { ok: false; reason: string };

const TIMEOUT_MS = 15_000;

/**
 * Logs in the way the frontend does (POST /auth/login) and keeps what the backend hands
 * back: the `connect.sid` cookie (session backends) and the `X-Auth-Token` header (JWT
 * backends answer it; the proxy normally turns it into a session).
 */
export async function loginOn(backend: LiveBackend, username: string, password: string): Promise<Live<LiveAuth>> {
  const res = await send(backend, { method: 'POST', path: '/auth/login', body: JSON.stringify({ username, password }), contentType: 'application/json' }, {});
  if (!res.ok) return res;
  const { answer, headers } = res.value;
  if (answer.status !== 200) {
    return { ok: false, reason: `login as ${username} on ${backend.name} (${backend.url.origin}) answered ${answer.status} ${errorText(answer.body)}: check --as and --password` };
  }
  const cookie = headers.getSetCookie().map((c) => c.split(';')[0] ?? '').find((c) => c.startsWith('connect.sid='));
  const bearer = headers.get('x-auth-token') ?? undefined;
  if (!cookie && !bearer) return { ok: false, reason: `login on ${backend.name} (${backend.url.origin}) succeeded but returned neither a connect.sid cookie nor an X-Auth-Token header` };
  return { ok: true, value: { ...(cookie ? { cookie } : {}), ...(bearer ? { bearer } : {}) } };
}

/** Ends what loginOn started (best effort: a tool should not leave sessions behind). */
export async function logoutOn(backend: LiveBackend, auth: LiveAuth): Promise<void> {
  await send(backend, { method: 'POST', path: '/auth/logout' }, auth);
}

/** Sends one request to one backend and reads the whole answer. */
export async function fetchAnswer(backend: LiveBackend, request: LiveRequest, auth: LiveAuth): Promise<Live<{ answer: CapturedResponse; ms: number }>> {
  const started = performance.now();
  const res = await send(backend, request, auth);
  if (!res.ok) return res;
  return { ok: true, value: { answer: res.value.answer, ms: performance.now() - started } };
}

async function send(backend: LiveBackend, request: LiveRequest, auth: LiveAuth): Promise<Live<{ answer: CapturedResponse; headers: Headers }>> {
  const headers: Record<string, string> = { accept: 'application/json', 'x-request-id': `strangler-diff-${Date.now().toString(36)}` };
  if (request.contentType) headers['content-type'] = request.contentType;
  if (auth.cookie) headers.cookie = auth.cookie;
  if (auth.bearer) headers.authorization = `Bearer ${auth.bearer}`;
  const url = new URL(request.path, backend.url);
  try {
    const res = await fetch(url, { method: request.method, headers, body: request.body, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = Buffer.from(await res.arrayBuffer());
    const plain: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      if (name !== 'set-cookie') plain[name] = value;
    });
    // fetch has already decoded the body: the header would now mislead the comparison.
    delete plain['content-encoding'];
    return { ok: true, value: { answer: { status: res.status, headers: plain, body }, headers: res.headers } };
  } catch (err) {
    return { ok: false, reason: unreachable(backend, err) };
  }
}

function unreachable(backend: LiveBackend, err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const why = e.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : e.cause?.message ?? e.cause?.code ?? e.message ?? String(err);
  const fix = backend.envVar ? `set ${backend.envVar} to where it runs` : `fix its url in ${backend.source}`;
  return `cannot reach ${backend.name} at ${backend.url.origin} (from ${backend.source}): ${why}. Start it, or ${fix}`;
}

function errorText(body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { error?: unknown };
    if (typeof parsed.error === 'string') return `"${parsed.error}"`;
  } catch {
    // not JSON: show nothing
  }
  return '';
}
