import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { createLegacySchema } from '../../legacy-adapter/src/schema.js';
import { createMcpSchema } from '../../legacy-adapter/src/mcp/mcp-schema.js';
import { createSqlCommandStore } from '../../legacy-adapter/src/mcp/sql-command-store.js';
import { openDatabase, type SqliteDatabase } from '../sqlite.js';
import { tempDir } from '../../test/kit/temp.js';
import type { CommandRow } from './command.js';
import { createCommandFeed, type CommandFeed } from './command-feed.js';
import type { CommandStore } from './command-store.js';

const logger = pino({ level: 'silent' });
const iso = (ms: number) => new Date(ms).toISOString();

// Two connections to one file stand for two backend processes: what one writes, the
// other's feed must find in the table, with no message between them.
describe('command feed', () => {
  const dir = tempDir('strangler-feed-');
  let dbA: SqliteDatabase;
  let dbB: SqliteDatabase;
  let storeA: CommandStore;
  let storeB: CommandStore;
  let alice = 0;
  let bob = 0;
  let now = Date.parse('2026-03-01T12:00:00.000Z');
  const clock = () => now;
  const feeds: CommandFeed[] = [];

  /** A feed that never ticks on its own: each test reads with pollNow(). */
  function feed(store: CommandStore, extra: { pageSize?: number } = {}): CommandFeed {
    const f = createCommandFeed({ store, logger, clock, intervalMs: 3_600_000, ...extra });
    feeds.push(f);
    return f;
  }

  function listen(f: CommandFeed, userId: number): CommandRow[] {
    const got: CommandRow[] = [];
    f.subscribe(userId, (row) => got.push(row));
    return got;
  }

  const insert = (store: CommandStore, userId: number, command: string) => store.insert({ userId, toolName: 'terminal_command', command, params: '{}', at: iso(now) });

  before(() => {
    dbA = openDatabase(dir.file('app.db'));
    createLegacySchema(dbA);
    createMcpSchema(dbA);
    dbB = openDatabase(dir.file('app.db'));
    const add = dbA.prepare("INSERT INTO users (username, name, email, password) VALUES (?, 'N', ?, 'h')");
    alice = Number(add.run('alice', 'alice@x.io').lastInsertRowid);
    bob = Number(add.run('bob', 'bob@x.io').lastInsertRowid);
    storeA = createSqlCommandStore(dbA);
    storeB = createSqlCommandStore(dbB);
  });
  beforeEach(() => {
    now += 60_000;
  });
  after(() => {
    for (const f of feeds) f.close();
    dbA.close();
    dbB.close();
    dir.cleanup();
  });

  it("delivers a change another process made to the owner's listeners, and only theirs", async () => {
    const onB = feed(storeB);
    const aliceGot = listen(onB, alice);
    const bobGot = listen(onB, bob);
    await onB.pollNow();
    now += 10;
    const row = await insert(storeA, alice, 'echo from A');
    now += 10;
    await storeA.finish(row.id, 'executed', null, iso(now));
    await onB.pollNow();
    assert.deepEqual(aliceGot.map((r) => [r.id, r.status]), [[row.id, 'executed']]);
    assert.deepEqual(bobGot, []);
  });

  it('does not replay what happened before anyone listened', async () => {
    const old = await insert(storeA, alice, 'echo old');
    await storeA.finish(old.id, 'executed', null, iso(now));
    now += 10;
    const f = feed(storeB);
    const got = listen(f, alice);
    await f.pollNow();
    await f.pollNow();
    assert.deepEqual(got, []);
  });

  it('sends a change once when this process reports it and the poll reads it too', async () => {
    const f = feed(storeA);
    const got = listen(f, alice);
    await f.pollNow();
    now += 10;
    const row = await insert(storeA, alice, 'echo once');
    f.notify(row);
    now += 10;
    const done = (await storeA.finish(row.id, 'failed', null, iso(now))) as CommandRow;
    f.notify(done);
    await f.pollNow();
    await f.pollNow();
    assert.deepEqual(got.map((r) => r.status), ['executing', 'failed']);
  });

  it('never sends a state older than one already sent (a slow read racing a newer write)', async () => {
    const f = feed(storeA);
    const got = listen(f, alice);
    await f.pollNow();
    now += 10;
    const row = await insert(storeA, alice, 'mkdir z');
    now += 10;
    const pending = (await storeA.awaitApproval(row.id, { argv: ['mkdir', 'z'], argvSha256: 'a'.repeat(64), cwd: '.', expiresAt: iso(now + 3_600_000) }, iso(now))) as CommandRow;
    f.notify(pending);
    f.notify(row);
    assert.deepEqual(got.map((r) => r.status), ['pending_approval']);
  });

  it('finds a row stamped before the newest change it saw, when that write committed late', async () => {
    const f = feed(storeB);
    const got = listen(f, alice);
    await f.pollNow();
    now += 5000;
    const fresh = await insert(storeA, alice, 'echo fresh');
    await f.pollNow();
    // Stamped 2 s earlier than `fresh` but committed after it was read (a writer waiting for the lock).
    const late = await storeA.insert({ userId: alice, toolName: 'terminal_command', command: 'echo late', params: '{}', at: iso(now - 2000 + 5) });
    await f.pollNow();
    assert.deepEqual(got.map((r) => r.id), [fresh.id, late.id]);
  });

  it('reads every change of a burst larger than one page', async () => {
    const f = feed(storeB, { pageSize: 2 });
    const got = listen(f, bob);
    await f.pollNow();
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) {
      now += 1;
      ids.push((await insert(storeA, bob, `echo ${i}`)).id);
    }
    await f.pollNow();
    assert.deepEqual(got.map((r) => r.id), ids);
  });

  it('stops reading when the last listener leaves', async () => {
    const f = feed(storeB);
    const stop = f.subscribe(alice, () => assert.fail('no listener should be called after unsubscribing'));
    assert.equal(f.listenerCount(), 1);
    stop();
    stop();
    assert.equal(f.listenerCount(), 0);
    now += 10;
    await insert(storeA, alice, 'echo unheard');
    await f.pollNow();
  });
});
