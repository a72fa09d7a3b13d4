import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startEchoBackend, type EchoBackend } from '../../../test/kit/proxy/echo-backend.js';
import { ADMIN_TOKEN, startProxy, type RunningProxy } from '../../../test/kit/proxy/proxy-harness.js';
import { routesYaml } from '../../../test/kit/proxy/routes-yaml.js';

// The console against a real proxy in front of real backends: how signing in, the cookie,
// CSRF and sign-out behave, seen from outside as a browser (or an attacker) would.

interface Answer { status: number; headers: Headers; text: string; body: unknown }

describe('the ops console', () => {
  let legacy: EchoBackend;
  let next: EchoBackend;
  let proxy: RunningProxy;
  let origin: string;

  const yaml = () => routesYaml({
    backends: { legacy: { url: legacy.url }, new: { url: next.url, auth: 'jwt' } },
    default: 'legacy',
    routes: [{ name: 'users', paths: ['/users', '/users/**'], target: 'legacy' }, { name: 'orders', paths: ['/orders/**'], target: 'legacy' }],
  });

  before(async () => {
    legacy = await startEchoBackend('legacy');
    next = await startEchoBackend('new');
    proxy = await startProxy(yaml());
    origin = proxy.url;
  });
  after(async () => {
    await proxy?.close();
    await legacy?.close();
    await next?.close();
  });

  async function send(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
    const res = await fetch(`${proxy.url}${path}`, { method, headers: init.headers, body: init.body, redirect: 'manual' });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: res.status, headers: res.headers, text, body };
  }

  /** Signs in as the page does; returns the cookie pair to send back and the CSRF token. */
  async function signIn(): Promise<{ cookie: string; csrf: string; setCookie: string }> {
    const res = await send('POST', '/__proxy/ui/session', { headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ token: ADMIN_TOKEN }) });
    assert.equal(res.status, 200, res.text);
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('strangler_console=')) ?? '';
    return { cookie: setCookie.split(';')[0] as string, csrf: (res.body as { csrfToken: string }).csrfToken, setCookie };
  }

  const action = (s: { cookie: string; csrf: string }, extra: Record<string, string> = {}) => ({
    cookie: s.cookie, origin, 'sec-fetch-site': 'same-origin', 'x-csrf-token': s.csrf, 'content-type': 'application/json', ...extra,
  });

  it('signs in with the admin token into an HttpOnly, SameSite=Strict cookie on /__proxy/ that holds a random id, not the token', async () => {
    const { setCookie, cookie } = await signIn();
    const attributes = setCookie.split(';').map((a) => a.trim().toLowerCase());
    assert.ok(attributes.includes('path=/__proxy/'), setCookie);
    assert.ok(attributes.includes('httponly'), setCookie);
    assert.ok(attributes.includes('samesite=strict'), setCookie);
    assert.ok(!attributes.includes('secure'), `plain http from 127.0.0.1 gets no Secure: ${setCookie}`);
    const maxAge = Number(attributes.find((a) => a.startsWith('max-age='))?.slice(8));
    assert.ok(maxAge > 0 && maxAge <= 24 * 3600, `a bounded lifetime: ${setCookie}`);
    const id = cookie.slice('strangler_console='.length);
    assert.match(id, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(!setCookie.includes(ADMIN_TOKEN));
    const session = await send('GET', '/__proxy/ui/session', { headers: { cookie } });
    assert.equal(session.status, 200);
    assert.equal(session.headers.get('cache-control'), 'no-store');
  });

  it('answers a sign-in form sent without the page\'s script with a redirect back to the page, and a cookie', async () => {
    const res = await send('POST', '/__proxy/ui/session', { headers: { origin, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: ADMIN_TOKEN }).toString() });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/__proxy/ui');
    assert.ok(res.headers.getSetCookie().some((c) => c.startsWith('strangler_console=')));
  });

  it('refuses a wrong token, sets no cookie, and after ten wrong ones from an address answers 429', async () => {
    const other = await startProxy(yaml());
    try {
      const wrong = () => fetch(`${other.url}/__proxy/ui/session`, { method: 'POST', headers: { origin: other.url, 'content-type': 'application/json' }, body: JSON.stringify({ token: 'not-the-token' }) });
      const first = await wrong();
      assert.equal(first.status, 401);
      assert.match(((await first.json()) as { error: string }).error, /Wrong admin token/);
      assert.deepEqual(first.headers.getSetCookie(), []);
      for (let i = 0; i < 9; i++) assert.equal((await wrong()).status, 401);
      const blocked = await wrong();
      assert.equal(blocked.status, 429);
      assert.ok(Number(blocked.headers.get('retry-after')) > 0);
      const right = await fetch(`${other.url}/__proxy/ui/session`, { method: 'POST', headers: { origin: other.url, 'content-type': 'application/json' }, body: JSON.stringify({ token: ADMIN_TOKEN }) });
      assert.equal(right.status, 429, 'the right token waits too: the throttle does not tell tokens apart');
    } finally {
      await other.close();
    }
  });

  it('answers 401 to every console and admin API call without a sign-in, with no figure in the answer', async () => {
    // Traffic first, so there are figures that could leak.
    for (let i = 0; i < 3; i++) assert.equal((await fetch(`${proxy.url}/users/${i}`)).status, 200);
    const calls: Array<[string, string]> = [
      ['GET', '/__proxy/ui/session'], ['DELETE', '/__proxy/ui/session'], ['GET', '/__proxy/ui/events'],
      ['GET', '/__proxy/routes'], ['PUT', '/__proxy/routes/users'], ['GET', '/__proxy/metrics'], ['GET', '/__proxy/diffs'],
      ['GET', '/__proxy/stats'], ['GET', '/__proxy/rollouts'], ['POST', '/__proxy/rollouts/users'], ['GET', '/__proxy/history'],
    ];
    const forged = ['', 'strangler_console=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', `strangler_console=${ADMIN_TOKEN}`];
    for (const cookie of forged) {
      for (const [method, path] of calls) {
        const headers: Record<string, string> = { origin, 'content-type': 'application/json', ...(cookie ? { cookie } : {}) };
        const res = await send(method, path, { headers, body: method === 'GET' || method === 'DELETE' ? undefined : '{"target":"new"}' });
        const what = `${method} ${path} with ${cookie || 'no cookie'}`;
        assert.equal(res.status, 401, `${what}: ${res.text}`);
        assert.deepEqual(Object.keys(res.body as object), ['error'], what);
        for (const secret of ['users', 'orders', legacy.url, next.url, 'requests']) assert.ok(!res.text.includes(secret), `${what} leaks ${secret}: ${res.text}`);
      }
    }
    assert.equal(readFileSync(proxy.file, 'utf8'), yaml(), 'nothing was changed');
  });

  it('serves the page and its files to anyone, with nothing in them about the routing', async () => {
    const page = await send('GET', '/__proxy/ui');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.match(page.text, /<form id="sign-in-form" method="post" action="\/__proxy\/ui\/session"/);
    const script = await send('GET', '/__proxy/ui/assets/console.js');
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
    for (const text of [page.text, script.text]) for (const secret of ['orders', legacy.url, next.url, ADMIN_TOKEN]) assert.ok(!text.includes(secret));
    assert.equal((await send('GET', '/__proxy/ui/assets/..%2Fconsole-router.ts')).status, 400, 'an encoded slash never reaches the console');
    assert.equal((await send('GET', '/__proxy/ui/assets/console-router.ts')).status, 404);
    assert.equal((await send('GET', '/__proxy/ui/assets/nope.js')).status, 404);
  });

  it('lets a signed-in console use the admin API, and the bearer token still works', async () => {
    const s = await signIn();
    const withCookie = await send('GET', '/__proxy/routes', { headers: { cookie: s.cookie } });
    assert.equal(withCookie.status, 200);
    assert.deepEqual((withCookie.body as { routes: Array<{ name: string }> }).routes.map((r) => r.name), ['users', 'orders']);
    assert.equal((await proxy.admin('routes')).status, 200);
    const wrongBearer = await send('GET', '/__proxy/routes', { headers: { cookie: s.cookie, authorization: 'Bearer nope' } });
    assert.equal(wrongBearer.status, 401, 'a wrong bearer token is not rescued by a cookie');
  });

  it('refuses a console action from another origin, or without the session\'s CSRF token, and says why', async () => {
    const s = await signIn();
    const refused: Array<[string, Record<string, string>, RegExp]> = [
      ['another Origin', action(s, { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' }), /Cross-site request refused/],
      ['another Origin, no Sec-Fetch-Site', (() => { const h = action(s, { origin: 'http://evil.example' }); delete (h as Record<string, string>)['sec-fetch-site']; return h; })(), /Origin http:\/\/evil\.example is not this console's/],
      ['a same-site sibling', action(s, { 'sec-fetch-site': 'same-site' }), /Sec-Fetch-Site: same-site/],
      ['neither Origin nor Sec-Fetch-Site', { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' }, /neither Origin nor Sec-Fetch-Site/],
      ['no CSRF token', (() => { const h = action(s); delete (h as Record<string, string>)['x-csrf-token']; return h; })(), /CSRF token missing/],
      ['a wrong CSRF token', action(s, { 'x-csrf-token': 'x'.repeat(43) }), /CSRF token wrong/],
    ];
    for (const [what, headers, message] of refused) {
      const res = await send('PUT', '/__proxy/routes/users', { headers, body: JSON.stringify({ target: 'new' }) });
      assert.equal(res.status, 403, `${what}: ${res.text}`);
      assert.match((res.body as { error: string }).error, message, what);
    }
    assert.equal(readFileSync(proxy.file, 'utf8'), yaml(), 'no refused action changed routes.yaml');
    const crossSignIn = await send('POST', '/__proxy/ui/session', { headers: { origin: 'http://evil.example', 'content-type': 'application/json' }, body: JSON.stringify({ token: ADMIN_TOKEN }) });
    assert.equal(crossSignIn.status, 403, 'sign-in from another origin');

    const done = await send('PUT', '/__proxy/routes/users', { headers: action(s), body: JSON.stringify({ target: 'new' }) });
    assert.equal(done.status, 200, done.text);
    assert.equal((await fetch(`${proxy.url}/users/1`)).headers.get('x-backend'), 'new');
    const back = await send('PUT', '/__proxy/routes/users', { headers: action(s), body: JSON.stringify({ target: 'legacy', canary: null }) });
    assert.equal(back.status, 200, back.text);
  });

  it('records a console action in the history as console:admin, whoever the request claims to be', async () => {
    const s = await signIn();
    const res = await send('PUT', '/__proxy/routes/orders', { headers: action(s, { 'x-strangler-actor': 'cli:someone-else' }), body: JSON.stringify({ target: 'new' }) });
    assert.equal(res.status, 200, res.text);
    try {
      const history = (await (await proxy.admin('history?route=orders&limit=1')).json()) as { entries: Array<{ actor: unknown; change: string }> };
      assert.deepEqual(history.entries[0]?.actor, { kind: 'console', name: 'admin' });
      assert.match(history.entries[0]?.change ?? '', /legacy → new/);
    } finally {
      assert.equal((await proxy.admin('routes/orders', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"target":"legacy"}' })).status, 200);
    }
  });

  it('ends the session on sign-out: the cookie is cleared, the old id is refused, its live stream ends', async () => {
    const s = await signIn();
    const stream = await openStream(s.cookie);
    await stream.next('routes');
    const out = await send('DELETE', '/__proxy/ui/session', { headers: action(s) });
    assert.equal(out.status, 200, out.text);
    const cleared = out.headers.getSetCookie().find((c) => c.startsWith('strangler_console=')) ?? '';
    assert.match(cleared, /^strangler_console=;.*Max-Age=0/);
    assert.match(cleared, /Path=\/__proxy\//);
    assert.equal((await stream.next('signed-out')).event, 'signed-out');
    await stream.ended;
    assert.equal((await send('GET', '/__proxy/routes', { headers: { cookie: s.cookie } })).status, 401);
    assert.equal((await send('GET', '/__proxy/ui/session', { headers: { cookie: s.cookie } })).status, 401);
  });

  it('pushes the routing on the event stream at once, and again when it changes', async () => {
    const s = await signIn();
    const stream = await openStream(s.cookie);
    try {
      const first = await stream.next('routes');
      const part = first.data as { ok: boolean; body: { routes: Array<{ name: string; target: string }> } };
      assert.equal(part.ok, true);
      assert.equal(part.body.routes.find((r) => r.name === 'orders')?.target, 'legacy');
      const seen = new Set<string>([first.event]);
      while (seen.size < 5) {
        const e = await stream.next();
        seen.add(e.event);
        const p = e.data as { ok: boolean; status?: number };
        assert.ok(p.ok || typeof p.status === 'number', `${e.event}: ${JSON.stringify(p)}`);
      }
      assert.deepEqual([...seen].sort(), ['diffs', 'history', 'rollouts', 'routes', 'stats']);
      assert.equal((await proxy.admin('routes/orders', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"target":"new"}' })).status, 200);
      for (;;) {
        const e = await stream.next('routes');
        if ((e.data as typeof part).body.routes.find((r) => r.name === 'orders')?.target === 'new') break;
      }
    } finally {
      stream.close();
      await proxy.admin('routes/orders', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"target":"legacy"}' });
    }
  });

  it('gives the cookie Secure behind TLS and in production', async () => {
    for (const proxyOptions of [{ behindTls: true }, { env: { ...process.env, NODE_ENV: 'production' } }]) {
      const other = await startProxy(yaml(), { proxyOptions });
      try {
        const res = await fetch(`${other.url}/__proxy/ui/session`, {
          method: 'POST',
          headers: { origin: proxyOptions.behindTls ? other.url.replace('http:', 'https:') : other.url, 'content-type': 'application/json' },
          body: JSON.stringify({ token: ADMIN_TOKEN }),
        });
        assert.equal(res.status, 200, JSON.stringify(proxyOptions));
        assert.match(res.headers.getSetCookie()[0] ?? '', /; Secure/, JSON.stringify(proxyOptions));
      } finally {
        await other.close();
      }
    }
  });

  it('refuses a production sign-in over plain http from a name other than localhost, since the browser would drop the Secure cookie', async () => {
    const other = await startProxy(yaml(), { proxyOptions: { env: { ...process.env, NODE_ENV: 'production' } } });
    try {
      const answer = await new Promise<{ status: number; body: string; cookies: string[] }>((resolve, reject) => {
        const body = JSON.stringify({ token: ADMIN_TOKEN });
        const req = request(`${other.url}/__proxy/ui/session`, {
          method: 'POST',
          headers: { host: 'proxy.example', origin: 'http://proxy.example', 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, cookies: res.headers['set-cookie'] ?? [] }));
        });
        req.on('error', reject);
        req.end(body);
      });
      assert.equal(answer.status, 400, answer.body);
      assert.match(answer.body, /over https .*COOKIE_SECURE=true/);
      assert.deepEqual(answer.cookies, []);
    } finally {
      await other.close();
    }
  });

  /** Reads `/__proxy/ui/events` as EventSource would. */
  async function openStream(cookie: string) {
    const controller = new AbortController();
    const res = await fetch(`${proxy.url}/__proxy/ui/events`, { headers: { cookie, accept: 'text/event-stream' }, signal: controller.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let done = false;
    let resolveEnded: () => void = () => undefined;
    const ended = new Promise<void>((r) => (resolveEnded = r));
    async function next(event?: string): Promise<{ event: string; data: unknown }> {
      for (;;) {
        const cut = buffer.indexOf('\n\n');
        if (cut >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const name = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (name && data && (!event || name === event)) return { event: name, data: JSON.parse(data) as unknown };
          continue;
        }
        if (done) throw new Error(`the stream ended before ${event ?? 'an event'}`);
        const chunk = await reader.read();
        if (chunk.done) {
          done = true;
          resolveEnded();
        } else {
          buffer += decoder.decode(chunk.value, { stream: true });
        }
      }
    }
    return {
      next,
      get ended() {
        return (async () => {
          while (!done) {
            const chunk = await reader.read();
            if (chunk.done) done = true;
          }
          resolveEnded();
          await ended;
        })();
      },
      close: () => controller.abort(),
    };
  }
});
