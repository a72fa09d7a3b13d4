import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startServer, waitFor, type RunningServer } from '../../../test/kit/index.js';
import type { AdminAnswer } from './admin-reader.js';
import { createConsoleFeed, FEED_PARTS, type ConsoleFeed } from './console-feed.js';
import { createConsoleSessions } from './console-sessions.js';

describe('the console feed', () => {
  // What the admin API answers, by path; a test changes it between ticks.
  const answers = new Map<string, AdminAnswer>();
  const asked: string[] = [];
  let feed: ConsoleFeed;
  let server: RunningServer;
  const sessions = createConsoleSessions({ lifetimeMs: 60_000 });
  let session = sessions.create().session;

  before(async () => {
    for (const path of Object.values(FEED_PARTS)) answers.set(path, { status: 404, body: { error: `Not found: GET ${path}` } });
    answers.set(FEED_PARTS.routes, { status: 200, body: { routes: [{ name: 'users', target: 'legacy' }] } });
    feed = createConsoleFeed({
      get: (path) => {
        asked.push(path);
        return Promise.resolve(answers.get(path) as AdminAnswer);
      },
      intervalMs: 20,
    });
    server = await startServer((_req, res) => feed.subscribe(res as ServerResponse, session));
  });
  after(async () => {
    feed.close();
    await server.close();
  });

  async function stream() {
    const controller = new AbortController();
    const res = await fetch(server.url, { signal: controller.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    return {
      async next(): Promise<{ event: string; data: unknown }> {
        for (;;) {
          const cut = buffer.indexOf('\n\n');
          if (cut >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const event = /^event: (.+)$/m.exec(block)?.[1];
            const data = /^data: (.+)$/m.exec(block)?.[1];
            if (event && data) return { event, data: JSON.parse(data) as unknown };
            continue;
          }
          const chunk = await reader.read();
          if (chunk.done) throw new Error('the stream ended');
          buffer += decoder.decode(chunk.value, { stream: true });
        }
      },
      close: () => controller.abort(),
    };
  }

  it('sends every part once, a missing endpoint as unavailable with its status, then only what changed', async () => {
    const s = await stream();
    const first = new Map<string, unknown>();
    while (first.size < 5) {
      const e = await s.next();
      assert.ok(!first.has(e.event), `${e.event} sent twice while nothing changed`);
      first.set(e.event, e.data);
    }
    assert.deepEqual(first.get('routes'), { ok: true, body: { routes: [{ name: 'users', target: 'legacy' }] } });
    assert.deepEqual(first.get('rollouts'), { ok: false, status: 404, error: 'Not found: GET /__proxy/rollouts' });
    answers.set(FEED_PARTS.rollouts, { status: 200, body: { rollouts: [] } });
    assert.deepEqual(await s.next(), { event: 'rollouts', data: { ok: true, body: { rollouts: [] } } });
    s.close();
    await waitForNoSubscribers();
  });

  it('reads nothing while no console is open', async () => {
    await waitForNoSubscribers();
    // A read already under way when the last stream left may still finish; none starts after it.
    await new Promise((r) => setTimeout(r, 60));
    const before = asked.length;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(asked.length, before);
  });

  it('ends the streams of a session that ends, with a signed-out event', async () => {
    session = sessions.create().session;
    const s = await stream();
    await s.next();
    feed.endSession(session);
    for (;;) {
      const e = await s.next();
      if (e.event === 'signed-out') break;
    }
    await waitForNoSubscribers();
  });

  it('ends a stream whose sign-in has expired, with a signed-out event', async () => {
    // Signed in at time 0 for a second: long over by the wall clock the feed reads.
    session = createConsoleSessions({ lifetimeMs: 1000, clock: () => 0 }).create().session;
    const s = await stream();
    for (;;) {
      const e = await s.next();
      if (e.event === 'signed-out') {
        assert.deepEqual(e.data, { reason: 'the sign-in expired' });
        break;
      }
    }
    await waitForNoSubscribers();
  });

  const waitForNoSubscribers = () => waitFor(() => feed.subscribers() === 0, 'the feed to drop the closed stream');
});
