import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisStore } from 'connect-redis';
import { sign } from 'cookie-signature';
import express from 'express';
import session from 'express-session';
import { pino } from 'pino';
import { createClient } from 'redis';
import { startRedisServer, startServer, waitFor, type RunningRedis, type RunningServer } from '../../../../test/kit/index.js';
import { createRedisSessionStore } from './redis-store.js';
import type { SessionStore } from './session-store.js';

const PREFIX = 'shop:sess:';
const SECRET = 'redis-store-test-secret-0123456789';
const MAX_AGE_MS = 60 * 60 * 1000;

type Client = ReturnType<typeof createClient>;

/**
 * A legacy app as teams write them: express-session over connect-redis, the user id where
 * Passport keeps it. It is what writes (and reads back) the sessions the store meets.
 */
function legacyApp(client: Client) {
  const app = express();
  app.use(express.json());
  app.use(session({ store: new RedisStore({ client, prefix: PREFIX }), secret: SECRET, resave: false, saveUninitialized: false, cookie: { maxAge: MAX_AGE_MS } }));
  app.post('/login', (req, res) => {
    (req.session as unknown as { passport: { user: number } }).passport = { user: Number(req.body.user) };
    res.json({ ok: true });
  });
  app.get('/me', (req, res) => {
    const user = (req.session as unknown as { passport?: { user: number } }).passport?.user;
    if (user === undefined) res.status(401).json({ error: 'Unauthorized' });
    else res.json({ user });
  });
  return app;
}

const cookieFor = (sid: string) => `connect.sid=${encodeURIComponent(`s:${sign(sid, SECRET)}`)}`;
/** A store with the default command timeout and its own log lines. */
function storeWithLog(url: string): { store: SessionStore; lines: string[] } {
  const lines: string[] = [];
  return { store: createRedisSessionStore({ url, prefix: PREFIX }, { logger: pino({ level: 'debug' }, { write: (line: string) => lines.push(line) }) }), lines };
}

const sidOf = (setCookie: string) => decodeURIComponent(/connect\.sid=([^;]+)/.exec(setCookie)![1]!).slice(2).split('.')[0]!;

describe('redis session store (connect-redis format)', () => {
  let redis: RunningRedis;
  let client: Client;
  let connectRedis: RedisStore;
  let app: RunningServer;
  let store: SessionStore;
  const logs: string[] = [];

  before(async () => {
    redis = await startRedisServer();
    client = createClient({ url: redis.url, socket: { reconnectStrategy: 50 } });
    client.on('error', () => undefined); // the test kills Redis on purpose
    await client.connect();
    connectRedis = new RedisStore({ client, prefix: PREFIX });
    app = await startServer(legacyApp(client));
    // A generous timeout for the reads that must succeed: on a busy machine a healthy Redis can
    // take longer than the default 300 ms to answer. The fault tests make stores of their own.
    store = createRedisSessionStore({ url: redis.url, prefix: PREFIX, commandTimeoutMs: 2000 }, { logger: pino({ level: 'debug' }, { write: (line: string) => logs.push(line) }) });
  });
  after(async () => {
    await store?.close();
    await app?.close();
    client?.destroy();
    await redis?.stop();
  });

  async function login(user: number): Promise<string> {
    const res = await fetch(`${app.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user }) });
    assert.equal(res.status, 200);
    return sidOf(res.headers.get('set-cookie')!);
  }
  const me = (sid: string) => fetch(`${app.url}/me`, { headers: { cookie: cookieFor(sid) } });

  it('reads a session express-session wrote through connect-redis, with its expiry from the key TTL', async () => {
    const sid = await login(7);
    const now = Date.now();
    const found = await store.get(sid, now, undefined);
    assert.ok(found, 'the session is found');
    assert.deepEqual((found.data as { passport: unknown }).passport, { user: 7 });
    assert.equal(typeof (found.data as { cookie: { expires: unknown } }).cookie.expires, 'string');
    assert.ok(Math.abs(found.expiresAt - (now + MAX_AGE_MS)) < 2000, `expiresAt ${found.expiresAt} is now + maxAge`);

    // The TTL, not the stored cookie, is the expiry connect-redis enforces.
    await client.pExpire(PREFIX + sid, 5000);
    const shorter = await store.get(sid, Date.now(), undefined);
    assert.ok(shorter && shorter.expiresAt - Date.now() <= 5000 && shorter.expiresAt - Date.now() > 3000);
  });

  it('reads no session for an unknown id, a key that expired, or one past its cookie without a TTL', async () => {
    assert.equal(await store.get('no-such-session', Date.now(), undefined), undefined);
    const sid = await login(8);
    await client.pExpire(PREFIX + sid, 1);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await store.get(sid, Date.now(), undefined), undefined);

    // connect-redis with disableTTL: the key has no TTL, the cookie's expiry decides.
    await client.set(`${PREFIX}no-ttl-past`, JSON.stringify({ cookie: { expires: new Date(Date.now() - 1000).toISOString() }, passport: { user: 1 } }));
    assert.equal(await store.get('no-ttl-past', Date.now(), undefined), undefined);
    const future = Date.now() + 60_000;
    await client.set(`${PREFIX}no-ttl-live`, JSON.stringify({ cookie: { expires: new Date(future).toISOString() }, passport: { user: 1 } }));
    assert.equal((await store.get('no-ttl-live', Date.now(), undefined))?.expiresAt, future);
    // A browser-session cookie (no maxAge) in a key without a TTL never expires by itself.
    await client.set(`${PREFIX}no-ttl-no-expiry`, JSON.stringify({ cookie: { originalMaxAge: null, expires: null }, passport: { user: 1 } }));
    assert.equal((await store.get('no-ttl-no-expiry', Date.now(), undefined))?.expiresAt, Number.POSITIVE_INFINITY);
  });

  it('touches as connect-redis does: the same TTL, the value untouched, a gone session left gone', async () => {
    const [ours, theirs] = [await login(9), await login(9)];
    await client.expire(PREFIX + ours, 100);
    await client.expire(PREFIX + theirs, 100);
    const valueBefore = await client.get(PREFIX + ours);

    const now = Date.now();
    const expiresAt = now + 30 * 60 * 1000 + 400;
    const sess = JSON.parse((await client.get(PREFIX + theirs))!) as session.SessionData;
    sess.cookie.expires = new Date(expiresAt);
    await new Promise<void>((resolve, reject) => connectRedis.touch(theirs, sess, (err?: unknown) => (err ? reject(err as Error) : resolve())));
    await store.touch(ours, expiresAt, now);

    const [ttlOurs, ttlTheirs] = [await client.ttl(PREFIX + ours), await client.ttl(PREFIX + theirs)];
    assert.ok(Math.abs(ttlOurs - ttlTheirs) <= 1, `TTL ${ttlOurs} vs connect-redis's ${ttlTheirs}`);
    assert.ok(ttlOurs > 1700 && ttlOurs <= 1801, `TTL ${ttlOurs} is the new cookie's 30 min`);
    assert.equal(await client.get(PREFIX + ours), valueBefore, 'the value is left as connect-redis leaves it');
    assert.equal((await me(ours)).status, 200, 'the legacy app still reads the touched session');

    await client.del(PREFIX + ours);
    await store.touch(ours, Date.now() + 60_000, Date.now());
    assert.equal(await client.exists(PREFIX + ours), 0, 'a destroyed session is not brought back');
  });

  it('writes a session connect-redis reads back and the legacy app accepts, and destroys it', async () => {
    const sid = 'written-by-the-proxy-0123456789';
    const expiresAt = Date.now() + 20 * 60 * 1000;
    const data = { cookie: { originalMaxAge: MAX_AGE_MS, expires: new Date(expiresAt).toISOString(), httpOnly: true, path: '/' }, passport: { user: 11 } };
    await store.set(sid, data, expiresAt);

    const read = await new Promise<unknown>((resolve, reject) => connectRedis.get(sid, (err: unknown, s?: unknown) => (err ? reject(err as Error) : resolve(s))));
    assert.deepEqual(read, data);
    const ttl = await client.ttl(PREFIX + sid);
    assert.ok(ttl > 1190 && ttl <= 1200, `EX from cookie.expires (got ${ttl})`);
    const res = await me(sid);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { user: 11 });

    await store.destroy(sid);
    assert.equal(await client.exists(PREFIX + sid), 0);
    assert.equal((await me(sid)).status, 401, 'the legacy app sees the session gone');

    await store.set('already-expired', data, Date.now() - 1000);
    assert.equal(await client.exists(`${PREFIX}already-expired`), 0, 'a past expiry writes nothing, as connect-redis');
  });

  it('reads malformed session JSON as no session, logged once per key', async () => {
    logs.length = 0;
    await client.set(`${PREFIX}broken`, '{"cookie":', { expiration: { type: 'EX', value: 60 } });
    await client.set(`${PREFIX}array`, '[1,2]', { expiration: { type: 'EX', value: 60 } });
    await client.set(`${PREFIX}number`, '42', { expiration: { type: 'EX', value: 60 } });
    await client.hSet(`${PREFIX}hash`, 'cookie', '{}');
    for (let i = 0; i < 3; i++) {
      assert.equal(await store.get('hash', Date.now(), undefined), undefined);
      assert.equal(await store.get('broken', Date.now(), undefined), undefined);
      assert.equal(await store.get('array', Date.now(), undefined), undefined);
      assert.equal(await store.get('number', Date.now(), undefined), undefined);
    }
    const warned = logs.filter((l) => l.includes('is not an express-session JSON object'));
    assert.equal(warned.length, 4, warned.join('\n'));
    assert.match(warned.find((l) => l.includes('shop:sess:broken'))!, /invalid JSON/);
    assert.match(warned.find((l) => l.includes('shop:sess:hash'))!, /not a string key/);
  });

  it('a Redis that dies is a quick store error, one log line for the outage, and reads resume once it is back', async () => {
    const sid = await login(12);
    const { store: own, lines } = storeWithLog(redis.url);
    try {
      await waitFor(() => own.get(sid, Date.now(), undefined), 'a first read of the session', 5_000);
      await redis.kill();

      for (let i = 0; i < 5; i++) {
        const started = Date.now();
        await assert.rejects(own.get(sid, Date.now(), undefined), /redis session store at redis:\/\/127\.0\.0\.1/);
        assert.ok(Date.now() - started < 1000, `failed in ${Date.now() - started} ms`);
      }
      await assert.rejects(own.touch(sid, Date.now() + 1000, Date.now()));
      await new Promise((r) => setTimeout(r, 600)); // a few reconnect attempts, each an 'error' event
      const outage = lines.filter((l) => l.includes('cannot be read'));
      assert.equal(outage.length, 1, `one line for the outage:\n${lines.join('')}`);
      assert.match(outage[0]!, /check that Redis runs/);

      await redis.restart(); // empty: nothing is saved
      await waitFor(() => client.set(PREFIX + sid, JSON.stringify({ passport: { user: 12 } }), { expiration: { type: 'EX', value: 60 } }), 'the restarted Redis to take the session', 5_000);
      const found = await waitFor(() => own.get(sid, Date.now(), undefined), 'a read once Redis is back', 5_000);
      assert.deepEqual((found.data as { passport: unknown }).passport, { user: 12 }, 'reads resume within seconds of Redis coming back');
      assert.equal(lines.filter((l) => l.includes('answers again')).length, 1, lines.join(''));
    } finally {
      await own.close();
    }
  });

  it('a Redis that stalls (stopped, connection open) is a store error within the command timeout', async () => {
    const sid = await login(13);
    const { store: own } = storeWithLog(redis.url);
    try {
      await waitFor(() => own.get(sid, Date.now(), undefined), 'a first read of the session', 5_000);
      redis.pause();
      try {
        const started = Date.now();
        const results = await Promise.allSettled(Array.from({ length: 20 }, () => own.get(sid, Date.now(), undefined)));
        assert.ok(results.every((r) => r.status === 'rejected'), 'every read fails');
        assert.ok(Date.now() - started < 2000, `failed in ${Date.now() - started} ms (the timeout is 300 ms)`);
      } finally {
        redis.resume();
      }
      const found = await waitFor(() => own.get(sid, Date.now(), undefined), 'a read once Redis resumes', 5_000);
      assert.deepEqual((found.data as { passport: unknown }).passport, { user: 13 });
    } finally {
      await own.close();
    }
  });

  it('a Redis that keeps dropping out logs its outages, not each blip', async () => {
    const sid = await login(14);
    const { store: flaky, lines } = storeWithLog(redis.url);
    try {
      for (let blip = 0; blip < 5; blip++) {
        await waitFor(() => flaky.get(sid, Date.now(), undefined), `blip ${blip}: a read while Redis answers`, 5_000);
        redis.pause();
        try {
          await assert.rejects(flaky.get(sid, Date.now(), undefined));
        } finally {
          redis.resume();
        }
      }
      await waitFor(() => flaky.get(sid, Date.now(), undefined), 'a read after the last blip', 5_000);
      // Five blips: one pair of lines, or two if the blips outlast the 10 s window (a busy machine).
      const [down, up] = [lines.filter((l) => l.includes('cannot be read')).length, lines.filter((l) => l.includes('answers again')).length];
      assert.ok(down >= 1 && down <= 2 && up >= 1 && up <= 2, `${down} outage and ${up} recovery lines:\n${lines.join('')}`);
    } finally {
      await flaky.close();
    }
  });

  it('a store whose Redis is down from the start answers with errors, not a hang, and closes', async () => {
    const logsHere: string[] = [];
    const nowhere = createRedisSessionStore({ url: 'redis://shop:s3cret-password@127.0.0.1:1', prefix: PREFIX }, { logger: pino({ level: 'debug' }, { write: (line: string) => logsHere.push(line) }) });
    const started = Date.now();
    await assert.rejects(nowhere.get('x', Date.now(), undefined), /ECONNREFUSED|offline/);
    assert.ok(Date.now() - started < 1000);
    // Once the first attempt has failed, no read waits for a connection.
    const then = Date.now();
    for (let i = 0; i < 5; i++) await assert.rejects(nowhere.get('x', Date.now(), undefined), /offline/);
    assert.ok(Date.now() - then < 750, `5 reads took ${Date.now() - then} ms`);
    await nowhere.close();
    await assert.rejects(nowhere.get('x', Date.now(), undefined), /closed/);
    assert.equal(logsHere.filter((l) => l.includes('cannot be read')).length, 1);
    assert.match(logsHere.join(''), /redis:\/\/shop:\*\*\*@127\.0\.0\.1:1/, 'the URL is logged without its password');
    assert.doesNotMatch(logsHere.join(''), /s3cret/);
  });
});
