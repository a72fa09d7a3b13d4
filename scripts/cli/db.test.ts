import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createLegacySchema } from '../../legacy-adapter/src/schema.js';
import { openDatabase } from '../../lib/sqlite.js';
import { MIGRATIONS } from '../../new-backend/src/db/migrations/index.js';
import { tempDir } from '../../test/kit/index.js';
import { run } from './db.js';
import { main } from './dispatch.js';
import { captureIo } from '../../test/kit/cli-fixture.js';

const NAMES = Object.keys(MIGRATIONS);

/** A database the legacy app made and used: its tables and one user, no migrations yet. */
function legacyDatabase(path: string): void {
  const db = openDatabase(path);
  createLegacySchema(db);
  db.prepare("INSERT INTO users (username, name, email, password) VALUES ('kept', 'Kept', 'kept@example.test', 'h')").run();
  db.close();
}

function backupsIn(dir: string): string[] {
  const folder = join(dir, 'backups');
  return existsSync(folder) ? readdirSync(folder).sort() : [];
}

describe('strangler db', () => {
  const dir = tempDir('strangler-db-cli-');
  after(() => dir.cleanup());

  it('status refuses a file that does not exist, naming the fix', async () => {
    const io = captureIo(dir.path, { DATABASE_PATH: 'missing/app.db' });
    assert.equal(await run(['status'], io), 1);
    assert.match(io.text(), /no database at missing\/app\.db: .*DATABASE_PATH/);
    assert.ok(!existsSync(dir.file('missing/app.db')), 'status creates nothing');
  });

  it('migrate on a new file: nothing to back up, every migration applied and listed', async () => {
    const io = captureIo(dir.path, { DATABASE_PATH: 'fresh/app.db' });
    assert.equal(await run(['migrate'], io), 0, io.text());
    const text = io.text();
    assert.match(text, /fresh\/app\.db is new: nothing to back up/);
    for (const name of NAMES) assert.match(text, new RegExp(`✔ ${name}`));
    assert.deepEqual(backupsIn(dir.file('fresh')), []);
  });

  it('status lists applied and pending migrations as a table', async () => {
    const path = dir.file('half/app.db');
    legacyDatabase(path);
    let io = captureIo(dir.path, { DATABASE_PATH: path });
    assert.equal(await run(['status'], io), 0);
    assert.match(io.text(), /0001_baseline\s*│\s*pending/);
    assert.match(io.text(), new RegExp(`${NAMES.length} pending: run \`strangler db migrate\``));
    const sqlite = new Database(path, { readonly: true });
    assert.equal(sqlite.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name LIKE 'kysely_%'").pluck().get(), 0, 'status writes nothing');
    sqlite.close();
    assert.equal(await run(['migrate'], captureIo(dir.path, { DATABASE_PATH: path })), 0);
    io = captureIo(dir.path, { DATABASE_PATH: path });
    assert.equal(await run(['status'], io), 0);
    for (const name of NAMES) assert.match(io.text(), new RegExp(`${name}\\s*│\\s*applied\\s*│\\s*\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d`));
    assert.match(io.text(), /up to date/);
  });

  it('migrate on a file with data backs it up first, then applies; the backup is the file as it was', async () => {
    const path = dir.file('used/app.db');
    legacyDatabase(path);
    const io = captureIo(dir.path, { DATABASE_PATH: path });
    assert.equal(await run(['migrate'], io), 0, io.text());
    const backups = backupsIn(dir.file('used'));
    assert.equal(backups.length, 1);
    assert.match(backups[0] as string, /^app-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.db$/);
    const text = io.text();
    assert.ok(text.indexOf('✔ backup') < text.indexOf('applying'), 'backup comes first');
    const copy = new Database(join(dir.file('used/backups'), backups[0] as string), { readonly: true });
    assert.equal(copy.prepare("SELECT username FROM users").pluck().get(), "kept");
    assert.equal(copy.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'revoked_tokens'").pluck().get(), 0);
    copy.close();

    const again = captureIo(dir.path, { DATABASE_PATH: path });
    assert.equal(await run(['migrate'], again), 0);
    assert.match(again.text(), /up to date/);
    assert.equal(backupsIn(dir.file('used')).length, 1, 'nothing pending, no new backup');
  });

  it('backup alone prints the file and its size', async () => {
    const path = dir.file('solo/app.db');
    legacyDatabase(path);
    const io = captureIo(dir.path, { DATABASE_PATH: path });
    assert.equal(await run(['backup'], io), 0);
    const [file] = backupsIn(dir.file('solo'));
    assert.ok(file);
    const size = statSync(join(dir.file('solo/backups'), file)).size;
    assert.match(io.text(), new RegExp(`✔ backup solo/backups/${file.replace(/\./g, '\\.')} \\(${(size / 1024).toFixed(1)} KiB\\)`));
  });

  it('takes --database over DATABASE_PATH', async () => {
    const path = dir.file('flag/app.db');
    legacyDatabase(path);
    const io = captureIo(dir.path, { DATABASE_PATH: 'elsewhere.db' });
    assert.equal(await run(['backup', '--database', 'flag/app.db'], io), 0, io.text());
    assert.equal(backupsIn(dir.file('flag')).length, 1);
  });

  it('shows progress while backing up a large file', async () => {
    const path = dir.file('big/app.db');
    const db = openDatabase(path);
    db.exec('CREATE TABLE blobs (b BLOB)');
    db.prepare('INSERT INTO blobs VALUES (zeroblob(?))').run(24 * 1024 * 1024);
    db.close();
    const io = captureIo(dir.path, { DATABASE_PATH: path });
    assert.equal(await run(['backup'], io), 0);
    const steps = io.stdout.filter((l) => /^\s+\d+% \(\d+\/\d+ pages\)$/.test(l));
    assert.ok(steps.length >= 2, io.text());
    assert.match(steps.at(-1) ?? '', /100%/);
  });

  it('a failing migration changes nothing, says so and where the backup is', async () => {
    const path = dir.file('blocked/app.db');
    legacyDatabase(path);
    const db = openDatabase(path);
    db.exec('CREATE TABLE refresh_tokens (x INTEGER)');
    db.close();
    const io = captureIo(dir.path, { DATABASE_PATH: path });
    assert.equal(await run(['migrate'], io), 1);
    assert.match(io.text(), /✖ migration 0003_refresh_tokens failed: .*already exists/);
    assert.match(io.text(), /nothing was applied \(one transaction\); the backup is blocked\/backups\/app-.*\.db/);
    const status = captureIo(dir.path, { DATABASE_PATH: path });
    await run(['status'], status);
    assert.match(status.text(), new RegExp(`${NAMES.length} pending`));
  });

  for (const [args, code, pattern] of [
    [[], 2, /say what to do/],
    [['shrink'], 2, /unknown subcommand "shrink"/],
    [['migrate', 'now'], 2, /unexpected argument now/],
    [['status', '--nope'], 2, /Unknown option '--nope'/],
    [['--help'], 0, /strangler db <migrate\|backup\|status>/],
  ] as const) {
    it(`answers ${code} to \`strangler db ${args.join(' ')}\``, async () => {
      const io = captureIo(dir.path, {});
      assert.equal(await run([...args], io), code);
      assert.match(io.text(), pattern);
    });
  }

  it('runs through the strangler dispatcher', async () => {
    const path = dir.file('dispatch/app.db');
    legacyDatabase(path);
    const io = captureIo(dir.path, { DATABASE_PATH: path });
    assert.equal(await main(['db', 'status'], io), 0, io.text());
    assert.match(io.text(), /0001_baseline/);
  });
});
