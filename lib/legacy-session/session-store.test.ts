import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type session from 'express-session';
import { openDatabase, type SqliteDatabase } from '../sqlite.js';
import { tempDir } from '../../test/kit/temp.js';
import { createLegacySchema } from '../../legacy-adapter/src/schema.js';
import { newSessionData, type SessionData } from './session-cookie.js';
import { SqliteSessionStore } from './session-store.js';

const HOUR = 60 * 60 * 1000;

describe('SqliteSessionStore', () => {
  const dir = tempDir();
  let db: SqliteDatabase;
  let store: SqliteSessionStore;

  before(() => {
    db = openDatabase(dir.file('app.db'));
    createLegacySchema(db);
    store = new SqliteSessionStore(db, { pruneIntervalMs: 0 });
  });
  after(() => {
    store.close();
    db.close();
    dir.cleanup();
  });

  it('creates sessions under fresh 32-character ids and reads them back', () => {
    const a = store.create(newSessionData(1));
    const b = store.create(newSessionData(2));
    assert.match(a, /^[A-Za-z0-9_-]{32}$/);
    assert.notEqual(a, b);
    assert.equal(store.lookup(a)?.userId, 1);
    assert.equal(store.lookup(b)?.userId, 2);
  });

  it('never returns an expired session', () => {
    const sid = store.create(newSessionData(3, Date.now() - 25 * HOUR));
    assert.equal(store.lookup(sid), undefined);
  });

  it('returns nothing for an unknown id or a row that is not JSON', () => {
    assert.equal(store.lookup('nope'), undefined);
    db.prepare('INSERT INTO sessions (sid, sess, expires_at) VALUES (?, ?, ?)').run('broken', '{not json', Date.now() + HOUR);
    assert.equal(store.lookup('broken'), undefined);
  });

  const count = (sid: string) => (db.prepare('SELECT count(*) AS n FROM sessions WHERE sid = ?').get(sid) as { n: number }).n;

  it('refresh moves the expiry of a live session', () => {
    const sid = store.create(newSessionData(4, Date.now() - 23 * HOUR));
    const fresh = newSessionData(4);
    store.refresh(sid, fresh);
    assert.deepEqual(store.lookup(sid), fresh);
  });

  it('refresh never resurrects a destroyed session', () => {
    const sid = store.create(newSessionData(5));
    store.remove(sid);
    store.refresh(sid, newSessionData(5));
    assert.equal(store.lookup(sid), undefined);
    assert.equal(count(sid), 0);
  });

  it('prune deletes expired rows only', () => {
    const live = store.create(newSessionData(6));
    const dead = store.create(newSessionData(6, Date.now() - 48 * HOUR));
    assert.ok(store.prune() >= 1);
    assert.equal(count(dead), 0);
    assert.equal(count(live), 1);
  });

  it("serves express-session's callback API (get, set, touch, destroy)", async () => {
    const call = <T>(fn: (cb: (err?: unknown, value?: T) => void) => void) =>
      new Promise<T | undefined>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
    const data = newSessionData(7) as unknown as session.SessionData;
    await call((cb) => store.set('cb-sid', data, cb));
    assert.equal(((await call<session.SessionData | null>((cb) => store.get('cb-sid', cb))) as unknown as SessionData).userId, 7);
    await call((cb) => store.touch('cb-sid', newSessionData(7, Date.now() + HOUR) as unknown as session.SessionData, cb));
    await call((cb) => store.destroy('cb-sid', cb));
    assert.equal(await call((cb) => store.get('cb-sid', cb)), null);
  });
});

describe('SqliteSessionStore prune timer', () => {
  it('sweeps on its own and still lets the process exit', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    try {
      const script = dir.file('prune-child.ts');
      const storeUrl = new URL('./session-store.ts', import.meta.url).href;
      const schemaUrl = new URL('../../legacy-adapter/src/schema.ts', import.meta.url).href;
      const sqliteUrl = new URL('../sqlite.ts', import.meta.url).href;
      writeFileSync(
        script,
        `import { SqliteSessionStore } from ${JSON.stringify(storeUrl)};
import { createLegacySchema } from ${JSON.stringify(schemaUrl)};
import { openDatabase } from ${JSON.stringify(sqliteUrl)};
const db = openDatabase(${JSON.stringify(dir.file('child.db'))});
createLegacySchema(db);
db.prepare('INSERT INTO sessions (sid, sess, expires_at) VALUES (?, ?, ?)').run('old', '{}', 1);
new SqliteSessionStore(db, { pruneIntervalMs: 20 });
// Poll (ref'd) until the sweep has run, then stop holding the loop: only the store's timer is left.
const check = setInterval(() => {
  if (db.prepare('SELECT count(*) AS n FROM sessions').get().n === 0) {
    clearInterval(check);
    console.log('pruned');
  }
}, 10);
`,
      );
      const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: fileURLToPath(new URL('../../', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((resolve) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), 45_000);
        child.on('exit', (c) => {
          clearTimeout(kill);
          resolve(c);
        });
      });
      assert.equal(code, 0, `the child should exit by itself once its work is done; output: ${out}`);
      assert.match(out, /pruned/);
    } finally {
      dir.cleanup();
    }
  });
});
