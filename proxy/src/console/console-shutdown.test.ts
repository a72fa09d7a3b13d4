import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePorts, runTsx, tempDir, type WatchedProcess } from '../../../test/kit/index.js';
import { startEchoBackend, type EchoBackend } from '../../../test/kit/proxy/echo-backend.js';
import { routesYaml } from '../../../test/kit/proxy/routes-yaml.js';

const STRANGLER = fileURLToPath(new URL('../../../scripts/strangler.ts', import.meta.url));
const TOKEN = 'console-shutdown-admin-token-0123456789abcdef';

describe('the console when the proxy stops', () => {
  const dir = tempDir('strangler-console-stop-');
  let backend: EchoBackend;
  let child: WatchedProcess | undefined;

  before(async () => {
    backend = await startEchoBackend('app');
    writeFileSync(dir.file('routes.yaml'), routesYaml({ backends: { app: { url: backend.url } }, default: 'app', routes: [{ name: 'orders', paths: ['/orders/**'], target: 'app' }] }));
  });
  after(async () => {
    child?.kill();
    await backend.close();
    dir.cleanup();
  });

  it('ends an open live stream cleanly on SIGTERM rather than holding the server open until it is cut', async () => {
    const [port] = await freePorts(1);
    child = runTsx(STRANGLER, {
      args: ['proxy', '--routes', 'routes.yaml', '--port', String(port)],
      cwd: dir.path,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', LOG_LEVEL: 'info', NO_COLOR: '1', PROXY_ADMIN_TOKEN: TOKEN },
    });
    await child.waitFor(new RegExp(`listening on http://127\\.0\\.0\\.1:${port}`), 120_000);
    const url = `http://127.0.0.1:${port}`;
    const signIn = await fetch(`${url}/__proxy/ui/session`, { method: 'POST', headers: { origin: url, 'content-type': 'application/json' }, body: JSON.stringify({ token: TOKEN }) });
    assert.equal(signIn.status, 200);
    const cookie = (signIn.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
    const stream = await fetch(`${url}/__proxy/ui/events`, { headers: { cookie } });
    assert.equal(stream.status, 200);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    assert.equal((await reader.read()).done, false);

    child.child.kill('SIGTERM');
    // A clean end of the chunked body; a connection the server had to cut makes read() reject.
    for (;;) if ((await reader.read()).done) break;
    assert.equal(await child.exited(15_000), 0);
  });
});
