import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { tempDir, waitFor } from '../../test/kit/index.js';
import type { HistoryEntry } from '../src/history/index.js';
import { matchCountsFrom, type RolloutJson } from '../src/rollout/index.js';
import { createShadowExtension } from '../src/shadow/index.js';
import { startLoadLoop, type LoadLoop } from '../../test/kit/proxy/load-loop.js';
import { startProxy, type RunningProxy } from '../../test/kit/proxy/proxy-harness.js';
import { routesYaml } from '../../test/kit/proxy/routes-yaml.js';
import { startSwitchableBackend, type SwitchableBackend } from '../../test/kit/proxy/switchable-backend.js';

/** Short intervals so a rollout runs in seconds; the gates need 73 clean answers from new to claim ≤ 5 %. */
const FAST = { to: 'new', steps: [20, 50, 100], every: '250ms', window: '5s', passes: 1, gates: { 'error-rate': '5%', 'latency-p95': 'off', 'critical-errors': 20 } };
const CONCURRENCY = 4;

interface Setup {
  legacy: SwitchableBackend;
  next: SwitchableBackend;
  proxy: RunningProxy;
}

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length) await open.pop()?.close();
});

async function setup(options: { file?: string; dir?: string; backends?: Pick<Setup, 'legacy' | 'next'>; shadow?: boolean; bucketMs?: number } = {}): Promise<Setup> {
  const backends = options.backends ?? { legacy: await startSwitchableBackend('legacy'), next: await startSwitchableBackend('new') };
  if (!options.backends) open.push(backends.legacy, backends.next);
  let dir = options.dir;
  if (!dir) {
    const temp = tempDir('strangler-rollout-');
    open.push({ close: () => Promise.resolve(temp.cleanup()) });
    dir = temp.path;
  }
  let yaml = routesYaml({
    backends: { legacy: { url: backends.legacy.url }, new: { url: backends.next.url, auth: 'jwt' } },
    default: 'legacy',
    routes: [
      { name: 'users', paths: ['/users', '/users/**'], target: 'legacy' },
      { name: 'mcp', paths: ['/mcp/**'], target: 'legacy' },
    ],
  });
  // The real shadow traffic: copies of what legacy serves go to new, compared in diffs.db.
  const shadow = options.shadow ? createShadowExtension({ diffsPath: `${dir}/diffs.db`, storeOptions: { flushMs: 5 } }) : undefined;
  if (shadow) yaml = yaml.replace('target: legacy   # which backend answers', 'target: legacy   # which backend answers\n    shadow: { to: new }');
  const proxy = await startProxy(yaml, {
    file: options.file, dir, proxyOptions: { statsBucketMs: options.bucketMs ?? 100, historyGraceMs: 50 },
    extensions: shadow ? [shadow] : [], deps: shadow ? { comparisons: matchCountsFrom(shadow.store) } : {},
  });
  await shadow?.ready();
  open.push(proxy);
  return { ...backends, proxy };
}

function load(proxy: RunningProxy, path = '/users/1'): LoadLoop {
  const loop = startLoadLoop(`${proxy.url}${path}`, { concurrency: CONCURRENCY });
  open.push({ close: () => loop.stop() });
  return loop;
}

async function post(proxy: RunningProxy, route: string, body: unknown, actor = 'cli:test'): Promise<{ status: number; body: RolloutJson & { error?: string; errors?: string[]; changes?: string[] } }> {
  const res = await proxy.admin(`rollouts/${route}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', 'x-strangler-actor': actor } });
  return { status: res.status, body: (await res.json()) as RolloutJson & { error?: string } };
}

async function rollout(proxy: RunningProxy, route = 'users'): Promise<RolloutJson | undefined> {
  const body = (await (await proxy.admin('rollouts')).json()) as { rollouts: RolloutJson[] };
  return body.rollouts.find((r) => r.route === route);
}

async function history(proxy: RunningProxy, route = 'users'): Promise<HistoryEntry[]> {
  return ((await (await proxy.admin(`history?route=${route}`)).json()) as { entries: HistoryEntry[] }).entries;
}

describe('rollouts', () => {
  it('takes a healthy new backend step by step to 100 %, each step in routes.yaml and the history', async (t) => {
    const { proxy } = await setup();
    const started = await post(proxy, 'users', { action: 'start', ...FAST });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.deepEqual({ state: started.body.state, step: started.body.step, percent: started.body.percent, from: started.body.from, to: started.body.to }, { state: 'canary', step: 0, percent: 20, from: 'legacy', to: 'new' });
    assert.match(readFileSync(proxy.file, 'utf8'), /canary: \{ to: new, percent: 20 \}\n {4}rollout: \{ to: new, steps: \[20, 50, 100\], every: 250ms/);

    const loop = load(proxy);
    const done = await waitFor(async () => {
      const r = await rollout(proxy);
      return r?.state === 'new' ? r : undefined;
    }, 'the rollout to reach new', 60_000);
    await loop.stop();
    assert.equal(done.percent, 100);
    const text = readFileSync(proxy.file, 'utf8');
    assert.match(text, /target: new {3}# which backend answers/);
    assert.doesNotMatch(text, /canary:/);
    assert.match(text, /state: done/);
    assert.match(text, /# test routes: this comment must survive edits/);

    const entries = (await history(proxy)).reverse();
    assert.deepEqual(entries.map((e) => [e.change, `${e.actor.kind}:${e.actor.name}`]), [
      ['canary → new 20%; rollout added (running)', 'cli:test'],
      ['canary new 20% → 50%', 'rollout:gates'],
      ['target legacy → new; canary new 50% removed; rollout running → done', 'rollout:gates'],
    ]);
    const step = entries[1];
    assert.equal(step?.gates?.[0]?.name, 'error-rate');
    assert.equal(step?.gates?.[0]?.status, 'pass');
    assert.ok((step?.gates?.[0]?.samples ?? 0) >= 73);
    assert.match(step?.reason ?? '', /every gate passed 1 time in a row at canary step 1 of 3 \(20 %\).*error-rate pass/);
    t.diagnostic(`${loop.from('new')} answers from new, ${loop.from('legacy')} from legacy`);
    assert.equal(loop.failuresFrom('new'), 0);
  });

  it('demotes at once a new backend that starts failing at the second step, letting through fewer failures than the critical limit plus those in flight', async (t) => {
    const { proxy, next } = await setup();
    // Five passes in a row (at least 1.25 s) per step: time to act once the second step is seen.
    const started = await post(proxy, 'users', { action: 'start', ...FAST, passes: 5 });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    const loop = load(proxy);
    await waitFor(async () => (await rollout(proxy))?.percent === 50, 'the second step', 60_000);
    next.fail();
    const failingFrom = loop.seen.length;
    const demoted = await waitFor(async () => {
      const r = await rollout(proxy);
      return r?.state === 'demoted' ? r : undefined;
    }, 'the demotion', 30_000);
    const afterDemotion = loop.seen.length;
    await waitFor(() => loop.seen.length >= afterDemotion + 200, '200 more answers');
    await loop.stop();

    const letThrough = loop.failuresFrom('new');
    const budget = 20 + CONCURRENCY;
    t.diagnostic(`failed requests let through: ${letThrough} (budget: critical-errors 20 + ${CONCURRENCY} in flight); reason: ${demoted.reason}`);
    assert.ok(letThrough > 0, 'the new backend failed some requests');
    assert.ok(letThrough <= budget, `${letThrough} failures got through, over the budget of ${budget}`);
    assert.equal(demoted.percent, 0);
    assert.match(demoted.reason ?? '', /demoted/);
    // One atomic flip back: no canary left, and every later answer from legacy.
    const text = readFileSync(proxy.file, 'utf8');
    assert.doesNotMatch(text, /canary:/);
    assert.match(text, /state: demoted/);
    assert.deepEqual(loop.seen.slice(afterDemotion + CONCURRENCY).filter((s) => s.backend !== 'legacy'), []);
    assert.ok(failingFrom < afterDemotion);
    const last = (await history(proxy))[0];
    assert.equal(last?.actor.kind, 'rollout');
    assert.match(last?.change ?? '', /canary new 50% removed; rollout running → demoted/);
    assert.ok(last?.reason);
    // No automatic retry: still demoted after more evaluations would have been due.
    assert.equal((await rollout(proxy))?.state, 'demoted');
  });

  it('demotes at the critical count of failures at once, without waiting for the next judgement', async (t) => {
    const { proxy, next } = await setup();
    // Judged once an hour: only the critical count can act within this test.
    const started = await post(proxy, 'users', { action: 'start', ...FAST, steps: [50, 100], every: '1h', window: '15m', gates: { 'error-rate': 'off', 'latency-p95': 'off', 'critical-errors': 10 } });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    next.fail();
    const loop = load(proxy);
    const demoted = await waitFor(async () => {
      const r = await rollout(proxy);
      return r?.state === 'demoted' ? r : undefined;
    }, 'the demotion', 30_000);
    await loop.stop();
    const letThrough = loop.failuresFrom('new');
    t.diagnostic(`failed requests let through: ${letThrough} (budget: critical-errors 10 + ${CONCURRENCY} in flight); reason: ${demoted.reason}`);
    assert.ok(letThrough >= 10 && letThrough <= 10 + CONCURRENCY, `${letThrough} failures got through`);
    assert.match(demoted.reason ?? '', /^critical-errors: \d+ failed requests from new got through during canary step 1 of 2 \(50 %\) \(limit 10\): demoted at once$/);
    const entry = (await history(proxy))[0];
    assert.deepEqual(entry?.actor, { kind: 'rollout', name: 'critical-errors' });
    assert.equal(entry?.change, 'canary new 50% removed; rollout running → demoted');
  });

  it('demotes a new backend whose p95 is many times that of legacy', async (t) => {
    // 200 ms buckets keep 18 s of figures: room for a 15 s window while 300 slow answers come in.
    const { proxy, next } = await setup({ bucketMs: 200 });
    next.slow(250);
    const started = await post(proxy, 'users', { action: 'start', ...FAST, steps: [50, 100], window: '15s', gates: { 'error-rate': 'off', 'latency-p95': '1.5x', 'critical-errors': 'off' } });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    const loop = startLoadLoop(`${proxy.url}/users/1`, { concurrency: 20 });
    open.push({ close: () => loop.stop() });
    const demoted = await waitFor(async () => {
      const r = await rollout(proxy);
      return r?.state === 'demoted' ? r : undefined;
    }, 'the demotion on latency', 60_000);
    await loop.stop();
    t.diagnostic(demoted.reason ?? '');
    assert.match(demoted.reason ?? '', /^latency-p95 fail: \d+\.\d+x \[\d+\.\d+x, \d+\.\d+x\] over 1\.50x \(\d+ samples, 300 needed\)/);
    const gate = (await history(proxy))[0]?.gates?.find((g) => g.name === 'latency-p95');
    assert.ok(gate && gate.samples >= 300 && (gate.lower ?? 0) > 1.5, JSON.stringify(gate));
  });

  it('judges the shadow comparisons first, then steps up the canary', async () => {
    const { proxy } = await setup({ shadow: true });
    const started = await post(proxy, 'users', { action: 'start', ...FAST, steps: [50, 100], gates: { ...FAST.gates, 'match-rate': '90%' } });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.deepEqual([started.body.state, started.body.step, started.body.percent], ['shadow', -1, 0]);
    assert.doesNotMatch(readFileSync(proxy.file, 'utf8'), /canary:/);
    const loop = load(proxy);
    await waitFor(async () => (await rollout(proxy))?.state === 'new', 'the rollout to reach new', 60_000);
    await loop.stop();
    const first = (await history(proxy)).reverse()[1];
    assert.equal(first?.change, 'canary → new 50%');
    assert.deepEqual(first?.gates?.map((g) => [g.name, g.status]), [['match-rate', 'pass']]);
    assert.ok((first?.gates?.[0]?.samples ?? 0) >= 35, 'a 90 % match rate needs 35 comparisons');
  });

  it('demotes in the shadow phase when the answers differ, before any user is sent to new', async () => {
    const { proxy, next } = await setup({ shadow: true });
    next.differ();
    assert.equal((await post(proxy, 'users', { action: 'start', ...FAST, gates: { ...FAST.gates, 'match-rate': '99%' } })).status, 200);
    const loop = load(proxy);
    const demoted = await waitFor(async () => {
      const r = await rollout(proxy);
      return r?.state === 'demoted' ? r : undefined;
    }, 'the demotion', 60_000);
    await loop.stop();
    assert.match(demoted.reason ?? '', /match-rate fail: 0\.00 %/);
    assert.equal(loop.from('new'), 0, 'no user was answered by new');
  });

  it('holds a quiet route at its step: no traffic is insufficient evidence, never a failure', async () => {
    const { proxy } = await setup();
    const started = await post(proxy, 'mcp', { action: 'start', ...FAST, every: '100ms' });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    const evaluations = () => proxy.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('rollout of mcp: gates')).length;
    await waitFor(() => evaluations() >= 10, 'ten evaluations of the quiet route');
    const r = await rollout(proxy, 'mcp');
    assert.equal(r?.state, 'canary');
    assert.equal(r?.percent, 20);
    assert.deepEqual(r?.gates.map((g) => [g.name, g.status, g.samples]), [['error-rate', 'insufficient', 0]]);
    assert.ok(proxy.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('rollout of mcp: gates')).every((l) => l.verdict === 'insufficient'));
    assert.equal((await history(proxy, 'mcp')).length, 1);
  });

  it('resumes at the same step after a restart of the proxy', async () => {
    const first = await setup();
    // Five passes in a row (at least 1.25 s) per step: time to stop the load once the second step is seen.
    assert.equal((await post(first.proxy, 'users', { action: 'start', ...FAST, passes: 5 })).status, 200);
    const loop = load(first.proxy);
    await waitFor(async () => (await rollout(first.proxy))?.percent === 50, 'the second step', 60_000);
    await loop.stop();
    const before = await rollout(first.proxy);
    assert.equal(before?.percent, 50, 'no traffic since the second step began: it holds there');
    const { file, dir } = first.proxy;
    await first.proxy.close();

    const second = await setup({ file, dir, backends: { legacy: first.legacy, next: first.next } });
    const resumed = await rollout(second.proxy);
    assert.deepEqual({ state: resumed?.state, step: resumed?.step, percent: resumed?.percent }, { state: 'canary', step: 1, percent: 50 });
    const again = load(second.proxy);
    await waitFor(async () => (await rollout(second.proxy))?.state === 'new', 'the rollout to finish after the restart', 60_000);
    await again.stop();
  });

  it('pauses when a person flips the route during the rollout, and says so', async () => {
    const { proxy } = await setup();
    assert.equal((await post(proxy, 'users', { action: 'start', ...FAST, every: '1h' })).status, 200);
    const same = await proxy.admin('routes/users', { method: 'PUT', body: JSON.stringify({ canary: { to: 'new', percent: 20 } }), headers: { 'content-type': 'application/json' } });
    const sameBody = (await same.json()) as { changes: string[]; notes?: string[] };
    assert.deepEqual([sameBody.changes, sameBody.notes], [[], undefined]);
    assert.equal((await rollout(proxy))?.state, 'canary', 'a change that moves nobody does not pause the rollout');
    const res = await proxy.admin('routes/users', { method: 'PUT', body: JSON.stringify({ canary: { to: 'new', percent: 30 } }), headers: { 'content-type': 'application/json', 'x-strangler-actor': 'cli:ana' } });
    assert.equal(res.status, 200);
    const flipped = (await res.json()) as { notes?: string[]; changes: string[] };
    assert.match(flipped.notes?.[0] ?? '', /the rollout of users \(canary step 1 of 3 \(20 %\)\) is paused: cli:ana changed its routing by hand; resume it with strangler rollout users --resume/);
    const paused = await rollout(proxy);
    assert.equal(paused?.state, 'paused');
    assert.equal(paused?.percent, 30);
    const entry = (await history(proxy))[0];
    assert.equal(entry?.change, 'canary new 20% → 30%; rollout running → paused');
    assert.deepEqual(entry?.actor, { kind: 'cli', name: 'ana' });

    const resumed = await post(proxy, 'users', { action: 'resume' });
    assert.equal(resumed.status, 200);
    assert.deepEqual([resumed.body.state, resumed.body.percent], ['canary', 20]);
    assert.match(resumed.body.reason ?? '', /the highest step at or under the canary's 30 %/);

    // The same through a hand edit of routes.yaml.
    writeFileSync(proxy.file, readFileSync(proxy.file, 'utf8').replace('percent: 20', 'percent: 40'));
    proxy.proxy.reload();
    const byHand = await waitFor(async () => {
      const r = await rollout(proxy);
      return r?.state === 'paused' ? r : undefined;
    }, 'the pause after the hand edit');
    assert.match(byHand.reason ?? '', /users was changed by an edit of routes\.yaml during the rollout \(canary new 20% → 40%\): the rollout is paused/);
  });

  it('runs a rollout block written into routes.yaml by hand like one started from the CLI', async () => {
    const { proxy } = await setup();
    writeFileSync(proxy.file, readFileSync(proxy.file, 'utf8').replace(/(name: mcp\n.*\n {4}target: legacy.*\n)/, '$1    rollout: { to: new, steps: [10, 100], every: 1h }\n'));
    assert.equal(proxy.proxy.reload().ok, true);
    const started = await waitFor(async () => {
      const r = await rollout(proxy, 'mcp');
      return r?.state === 'canary' ? r : undefined;
    }, 'the first step written by the proxy');
    assert.equal(started.percent, 10);
    assert.match(readFileSync(proxy.file, 'utf8'), /canary: \{ to: new, percent: 10 \}\n {4}rollout: \{ to: new, steps: \[10, 100\], every: 1h \}/);
    const entries = await waitFor(async () => {
      const list = await history(proxy, 'mcp');
      return list.length >= 2 ? list : undefined;
    }, 'both changes in the history');
    assert.deepEqual(entries.map((e) => [e.change, e.actor.kind]), [['canary → new 10%', 'rollout'], ['rollout added (running)', 'file-edit']]);
  });

  it('starts at the highest step at or under a canary the route already has', async () => {
    const { proxy } = await setup();
    const res = await proxy.admin('routes/users', { method: 'PUT', body: JSON.stringify({ canary: { to: 'new', percent: 30 } }), headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 200);
    await res.text();
    const started = await post(proxy, 'users', { action: 'start', to: 'new', every: '1h' });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.deepEqual([started.body.state, started.body.step, started.body.percent], ['canary', 2, 25]);
    assert.match(started.body.reason ?? '', /at step 3 \(25 %\), the highest at or under the route's canary of 30 %/);
  });

  it('refuses what makes no sense, naming the problem and the fix', async () => {
    const { proxy } = await setup();
    const cases: Array<[string, string, unknown, number, RegExp]> = [
      ['an unknown route', 'billing', { action: 'start', to: 'new' }, 404, /unknown route "billing" \(known: users, mcp\)/],
      ['an unknown backend', 'users', { action: 'start', to: 'nwe' }, 400, /unknown backend "nwe" \(known: legacy, new\)/],
      ['a rollout to the current target', 'users', { action: 'start', to: 'legacy' }, 409, /users already targets legacy: there is nothing to roll out/],
      ['steps that do not increase', 'users', { action: 'start', to: 'new', steps: [5, 1, 100] }, 400, /routes\[0\]\.rollout\.steps\[1\]: steps must increase: 1 comes after 5/],
      ['gates that do not parse', 'users', { action: 'start', to: 'new', gates: { 'error-rate': 'low' } }, 400, /gates\.error-rate: "low" is not an error rate: .*e\.g\. error-rate: 1%/],
      ['a match-rate gate without shadow traffic', 'users', { action: 'start', to: 'new', gates: { 'match-rate': '99%' } }, 400, /add shadow: \{ to: new \} to the route, or set match-rate: off/],
      ['pausing a route without a rollout', 'mcp', { action: 'pause' }, 409, /mcp has no rollout: start one with strangler rollout mcp --to <backend>/],
      ['an unknown action', 'users', { action: 'go' }, 400, /send \{"action":"start","to":"new"\}/],
    ];
    for (const [what, route, body, status, message] of cases) {
      const res = await post(proxy, route, body);
      assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
      assert.match(res.body.error ?? '', message, what);
    }
    assert.equal((await post(proxy, 'users', { action: 'start', ...FAST, every: '1h' })).status, 200);
    const twice = await post(proxy, 'users', { action: 'start', ...FAST });
    assert.equal(twice.status, 409);
    assert.match(twice.body.error ?? '', /users already has a rollout to new: one rollout per route. Abort it first \(strangler rollout users --abort\)/);
    const aborted = await post(proxy, 'users', { action: 'abort' });
    assert.equal(aborted.status, 200);
    assert.doesNotMatch(readFileSync(proxy.file, 'utf8'), /rollout:|canary:/);
    assert.equal(await rollout(proxy), undefined);
  });
});
