import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { legacyMcp } from '../../legacy-adapter/src/mcp/legacy-mcp.js';
import { newBackendMcp } from '../../new-backend/src/mcp/new-backend-mcp.js';
import { mcpSettings, startMcpServer, type RunningMcpServer } from '../kit/mcp.js';
import { startSystem, type RunningSystem } from '../kit/system.js';

/**
 * A WebSocket opened through the bridge on the new backend stands for the legacy session it
 * was bridged from: a logout ends it within the re-check period, as on the legacy side.
 */
describe('/mcp/ws on the new backend after a logout on legacy', { timeout: 120_000 }, () => {
  let mcp: RunningMcpServer;
  let system: RunningSystem;
  before(async () => {
    mcp = await startMcpServer();
    system = await startSystem({
      routing: { auth: 'legacy', mcp: 'new' },
      legacy: { mcp: legacyMcp({ settings: mcpSettings(mcp), pingIntervalMs: 200 }) },
      newBackend: { mcp: newBackendMcp({ settings: mcpSettings(mcp), pingIntervalMs: 200 }) },
    });
    mcp.attach(system.dbPath);
  });
  after(async () => {
    await system.close();
    await mcp.close();
  });

  it('closes the socket (1008) once the session it was opened with is logged out, and keeps another browser\'s', async () => {
    const open = async () => {
      const browser = system.client();
      assert.equal((await browser.login(system.admin.username, system.admin.password)).status, 200);
      const cookie = await browser.jar.getCookieString(system.url);
      const ws = new WebSocket(`${system.url.replace(/^http/, 'ws')}/mcp/ws`, { headers: { cookie, origin: system.url } });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
        ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      });
      return { browser, ws };
    };
    const leaving = await open();
    const staying = await open();
    const closed = new Promise<number>((resolve) => leaving.ws.once('close', (code) => resolve(code)));
    // Past a few re-checks the socket is still open while its session lives.
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(leaving.ws.readyState, WebSocket.OPEN);
    assert.equal((await leaving.browser.post('/auth/logout')).status, 200);
    const outcome = await Promise.race([closed, new Promise<string>((r) => setTimeout(() => r('still open 10 s after the logout'), 10_000))]);
    assert.equal(outcome, 1008);
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(staying.ws.readyState, WebSocket.OPEN, 'another browser of the same user keeps its socket');
    staying.ws.close();
  });
});
