import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { canaryBucket } from '../src/config/index.js';
import { startEchoBackend, type Echo, type EchoBackend } from '../../test/kit/proxy/echo-backend.js';
import { startProxy, type RunningProxy } from '../../test/kit/proxy/proxy-harness.js';
import { routesYaml } from '../../test/kit/proxy/routes-yaml.js';
import { openSocket } from '../../test/kit/proxy/ws-client.js';

const sids = Array.from({ length: 40 }, (_, i) => `session-${i}-abcdefghijklmnopqrstuvwxyz`);
const cookie = (sid: string) => `connect.sid=s%3A${sid}.signature`;

describe('canary routing', () => {
  let legacy: EchoBackend;
  let next: EchoBackend;
  let proxy: RunningProxy;
  const yaml = (percent: number) => routesYaml({
    backends: { legacy: { url: legacy.url }, new: { url: next.url } },
    default: 'legacy',
    routes: [{ name: 'users', paths: ['/users', '/users/**'], target: 'legacy', canary: { to: 'new', percent } }],
  });
  const servedBy = async (sid: string) => ((await (await fetch(`${proxy.url}/users/1`, { headers: { cookie: cookie(sid) } })).json()) as Echo).backend;

  before(async () => {
    legacy = await startEchoBackend('legacy');
    next = await startEchoBackend('new');
    proxy = await startProxy(yaml(50));
  });
  after(async () => {
    await proxy.close();
    await legacy.close();
    await next.close();
  });

  it('sends each session to the side its bucket says (the same computation as strangler explain)', async () => {
    let toNew = 0;
    for (const sid of sids) {
      const expected = canaryBucket('users', `session:${sid}`) < 50 ? 'new' : 'legacy';
      assert.equal(await servedBy(sid), expected, `session ${sid}`);
      if (expected === 'new') toNew += 1;
    }
    assert.ok(toNew > 0 && toNew < sids.length, 'a 50% canary splits 40 sessions');
  });

  it('is sticky: the same session lands on the same side every time, WebSocket upgrades included', async () => {
    for (const sid of sids.slice(0, 8)) {
      const first = await servedBy(sid);
      for (let i = 0; i < 3; i++) assert.equal(await servedBy(sid), first);
      const socket = await openSocket(`ws://127.0.0.1:${proxy.port}/users/ws`, { cookie: cookie(sid) });
      assert.equal(socket.hello.hello, first, 'the upgrade follows the same canary');
      socket.close();
    }
  });

  it('is exact at 0% and 100%', async () => {
    writeFileSync(proxy.file, yaml(0));
    proxy.proxy.reload();
    for (const sid of sids.slice(0, 10)) assert.equal(await servedBy(sid), 'legacy');
    writeFileSync(proxy.file, yaml(100));
    proxy.proxy.reload();
    for (const sid of sids.slice(0, 10)) assert.equal(await servedBy(sid), 'new');
  });
});
