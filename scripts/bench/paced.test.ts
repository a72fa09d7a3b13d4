import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { startServer, type RunningServer } from '../../test/kit/index.js';
import { pacedRun } from './paced.js';

const servers: RunningServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

/** A server that answers `status` and records when each request arrived. */
async function recorder(status = 200): Promise<{ url: string; arrivals: number[]; headers: Array<Record<string, unknown>> }> {
  const arrivals: number[] = [];
  const headers: Array<Record<string, unknown>> = [];
  const server = await startServer((req, res) => {
    arrivals.push(performance.now());
    headers.push(req.headers);
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  servers.push(server);
  return { url: server.url, arrivals, headers };
}

describe('paced generator', () => {
  it('sends rate × duration requests and reports each answer', async () => {
    const target = await recorder();
    const statuses: number[] = [];
    const result = await pacedRun({ url: `${target.url}/x`, method: 'GET' }, 50, 1, () => {}, (status) => statuses.push(status));
    assert.equal(result.scheduled, 50);
    assert.equal(target.arrivals.length, 50);
    assert.deepEqual(new Set(statuses), new Set([200]));
    assert.equal(statuses.length, 50);
    assert.deepEqual([result.errors, result.timeouts, result.companionFailures], [0, 0, 0]);
  });

  it('sends a companion after each answer, not before it, with its own headers', async () => {
    const target = await recorder();
    const companion = await recorder();
    const answered: number[] = [];
    await pacedRun({ url: target.url, method: 'GET' }, 40, 0.5, () => {}, () => answered.push(performance.now()), {
      url: `${companion.url}/users`, method: 'GET', headers: { authorization: 'Bearer t' }, delayMs: 5,
    });
    assert.equal(companion.arrivals.length, 20);
    assert.equal(companion.headers[0]?.authorization, 'Bearer t');
    // The i-th companion leaves at least delayMs after the i-th answer.
    companion.arrivals.forEach((at, i) => assert.ok(at >= (answered[i] as number) + 4, `companion ${i} came ${at - (answered[i] as number)} ms after its answer`));
  });

  it('counts companions that fail, so a run that did not carry their load is refused', async () => {
    const target = await recorder();
    const failing = await recorder(503);
    const result = await pacedRun({ url: target.url, method: 'GET' }, 20, 0.5, () => {}, undefined, { url: failing.url, method: 'GET', delayMs: 0 });
    assert.equal(result.companionFailures, 10);
  });
});
