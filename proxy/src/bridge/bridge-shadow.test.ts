import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { openDatabase } from '../../../lib/sqlite.js';
import { tempDir } from '../../../test/kit/temp.js';
import { startSystem, type Routing, type RunningSystem } from '../../../test/kit/system.js';
import { createShadowExtension, type ShadowExtension } from '../shadow/index.js';

interface DiffRow { primary_backend: string; shadow_backend: string; primary_status: number; shadow_status: number; match: number }

// The shadow seam (DESIGN §7): a copy sent to a jwt backend carries its own bridged token,
// a copy sent to a session backend the client's cookie, so both sides judge the same user.
describe('session bridge: shadow copies', { timeout: 120_000 }, () => {
  const running: RunningSystem[] = [];
  const dir = tempDir('strangler-bridge-shadow-');
  after(async () => {
    for (const system of running) await system.close();
    dir.cleanup();
  });

  async function shadowed(routing: Partial<Routing>, shadowTo: 'legacy' | 'new'): Promise<{ system: RunningSystem; shadow: ShadowExtension; diffsPath: string }> {
    let shadow: ShadowExtension | undefined;
    const diffsPath = dir.file(`diffs-${running.length}.db`);
    const system = await startSystem({
      routing,
      routeLines: { users: [`shadow: { to: ${shadowTo}, methods: [GET], percent: 100 }`] },
      extensions: (bridge) => {
        shadow = createShadowExtension({ diffsPath, authorizeShadow: bridge.authorizeShadow });
        return [shadow, bridge];
      },
    });
    running.push(system);
    assert.ok(shadow);
    return { system, shadow, diffsPath };
  }

  async function rows(shadow: ShadowExtension, diffsPath: string): Promise<DiffRow[]> {
    await shadow.shadower.idle();
    await shadow.shadower.flush();
    const db = openDatabase(diffsPath, { readonly: true });
    try {
      return db.prepare<[], DiffRow>('SELECT primary_backend, shadow_backend, primary_status, shadow_status, match FROM diffs ORDER BY id').all();
    } finally {
      db.close();
    }
  }

  for (const [label, routing, shadowTo] of [
    ['users on legacy, shadowed to new: the copy gets a bridged token', { users: 'legacy' }, 'new'],
    ['users on new, shadowed to legacy: the copy keeps the session cookie', { users: 'new' }, 'legacy'],
  ] as const) {
    it(label, async () => {
      const { system, shadow, diffsPath } = await shadowed(routing, shadowTo);
      const admin = system.client();
      assert.equal((await admin.login(system.admin.username, system.admin.password)).status, 200);
      const res = await admin.get('/users');
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-backend'), routing.users);
      const [row] = await rows(shadow, diffsPath);
      assert.ok(row, 'one comparison recorded');
      assert.equal(row.shadow_backend, shadowTo);
      assert.equal(row.shadow_status, 200, 'the shadow judged the same logged-in admin');
      assert.equal(row.match, 1);
    });
  }
});
