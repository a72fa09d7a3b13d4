import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isReservedRequestHeader } from '../src/request-headers.js';
import { startEchoBackend, type Echo, type EchoBackend } from '../../test/kit/proxy/echo-backend.js';
import { startProxy, type RunningProxy } from '../../test/kit/proxy/proxy-harness.js';
import { routesYaml } from '../../test/kit/proxy/routes-yaml.js';
import { openSocket } from '../../test/kit/proxy/ws-client.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCES = ['proxy/src', 'lib', 'legacy-adapter/src', 'new-backend/src'];
/**
 * `X-…` strings in the code that are not internal headers: the client's own request id,
 * response-only headers (the console's `x-frame-options` and `x-accel-buffering` on its event
 * stream among them), the console page's `x-csrf-token` (sent by a browser to the proxy's own
 * admin endpoints, never forwarded: `/__proxy/` is not routed), a Content-Encoding token, and
 * a name a comment gives as an example.
 */
const NOT_INTERNAL = new Set(['x-request-id', 'x-powered-by', 'x-content-type-options', 'x-frame-options', 'x-accel-buffering', 'x-csrf-token', 'x-gzip', 'x-users']);
/** Internal headers that parts being built will use (the legacy adapter's key), reserved ahead of their code. */
const ANNOUNCED = ['x-strangler-adapter-key'];
/** The proxy sets these itself, from what it saw; the client's values must not survive. */
const SET_BY_PROXY = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host']);

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** Every `X-…` header name written in the source as a string, lower-cased. */
function headerNamesInSource(): string[] {
  const names = new Set<string>();
  for (const file of SOURCES.flatMap(sourceFiles)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/['"`](x-[a-z0-9]+(?:-[a-z0-9]+)*)['"`:]/gi)) names.add((m[1] as string).toLowerCase());
  }
  return [...names].sort();
}

const INTERNAL = [...new Set([...headerNamesInSource().filter((n) => !NOT_INTERNAL.has(n)), ...ANNOUNCED])].sort();

describe('internal headers', () => {
  it('finds the internal headers the code uses (the scan works)', () => {
    for (const name of ['x-acting-user-id', 'x-auth-token', 'x-auth-logout', 'x-shadow-request', 'x-backend', 'x-forwarded-for']) {
      assert.ok(INTERNAL.includes(name), `${name} should be found in the source; found ${INTERNAL.join(', ')}`);
    }
  });

  it('reserves every X- header the code uses, by rule (a new one must join a reserved family or be listed as not internal here)', () => {
    const unreserved = INTERNAL.filter((name) => !isReservedRequestHeader(name));
    assert.deepEqual(unreserved, [], `give these a reserved family (x-strangler-…) or say why a client may send them: ${unreserved.join(', ')}`);
  });

  describe('sent by a client through the proxy', () => {
    let backend: EchoBackend;
    let proxy: RunningProxy;
    const forged = Object.fromEntries(INTERNAL.map((name) => [name, 'forged-by-client']));

    before(async () => {
      backend = await startEchoBackend('legacy');
      proxy = await startProxy(routesYaml({ backends: { legacy: { url: backend.url } }, default: 'legacy', routes: [] }));
    });
    after(async () => {
      await proxy.close();
      await backend.close();
    });

    function assertNoneArrived(received: Record<string, unknown>): void {
      for (const name of INTERNAL) {
        if (SET_BY_PROXY.has(name)) assert.notEqual(received[name], 'forged-by-client', `${name} must be the proxy's own value`);
        else assert.equal(received[name], undefined, `${name} reached the backend`);
      }
    }

    it(`drops each of them from an HTTP request (${INTERNAL.length} headers)`, async () => {
      const res = await fetch(`${proxy.url}/anything`, { headers: forged });
      const echo = (await res.json()) as Echo;
      assert.equal(echo.backend, 'legacy');
      assertNoneArrived(echo.headers);
    });

    it('drops each of them from a WebSocket upgrade', async () => {
      const socket = await openSocket(`ws://127.0.0.1:${proxy.port}/ws`, forged);
      try {
        assert.equal(socket.hello.hello, 'legacy');
        assertNoneArrived(socket.hello.headers);
      } finally {
        socket.close();
      }
    });
  });
});
