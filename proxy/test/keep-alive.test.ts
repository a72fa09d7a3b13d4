import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEchoBackend, type EchoBackend } from '../../test/kit/proxy/echo-backend.js';
import { startProxy, type RunningProxy } from '../../test/kit/proxy/proxy-harness.js';
import { routesYaml } from '../../test/kit/proxy/routes-yaml.js';
import { rawGet } from '../../test/kit/proxy/raw-http.js';
import { waitFor } from '../../test/kit/index.js';

describe('proxy keep-alive to backends', () => {
  let backend: EchoBackend;
  let proxy: RunningProxy;

  before(async () => {
    // The backend would keep idle sockets for a minute: any close seen here is the proxy's.
    backend = await startEchoBackend('legacy', { keepAliveTimeoutMs: 60_000 });
    proxy = await startProxy(routesYaml({ backends: { legacy: { url: backend.url } }, default: 'legacy', routes: [] }), {
      proxyOptions: { freeSocketTimeoutMs: 300 },
    });
  });
  after(async () => {
    await proxy.close();
    await backend.close();
  });

  it('reuses one connection for sequential requests', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${proxy.url}/n/${i}`);
      assert.equal(res.status, 200);
      await res.json();
    }
    assert.equal(backend.connections().opened, 1);
  });

  it('keeps its backend connection when a client says Connection: close', async () => {
    const opened = backend.connections().opened;
    for (let i = 0; i < 3; i++) {
      // agent: false makes Node send `Connection: close` on each request.
      const res = await rawGet(proxy.port, `/close/${i}`);
      assert.equal(res.status, 200);
      assert.equal((res.json as { headers: Record<string, string> }).headers.connection, 'keep-alive');
    }
    assert.equal(backend.connections().opened, opened, 'no new backend connection');
  });

  it('closes an idle socket itself, before the backend would', async () => {
    await waitFor(() => backend.connections().closedByPeer >= 1, 'the proxy to close its idle keep-alive socket');
    const res = await fetch(`${proxy.url}/after-idle`);
    assert.equal(res.status, 200);
    await res.json();
    assert.equal(backend.connections().opened, 2, 'a fresh connection replaces the closed one (and only one was open before)');
  });
});
