import type { SqliteDatabase } from '../../../lib/sqlite.js';
import type { Role } from './user-validation.js';

/** A row of `users`, hash included: never sent to a client (see toPublicUser). */
export interface UserRow {
  readonly id: number;
  readonly username: string;
  readonly name: string;
  readonly email: string;
  readonly password: string;
  readonly role: Role;
  readonly created_at: string;
}

/** The user object of the frontend contract, keys in contract order. */
export interface PublicUser {
  readonly id: number;
  readonly username: string;
  readonly name: string;
  readonly email: string;
  readonly role: Role;
}

export function toPublicUser(row: UserRow): PublicUser {
  return { id: row.id, username: row.username, name: row.name, email: row.email, role: row.role };
}

export interface NewUserRecord {
  readonly username: string;
  readonly name: string;
  readonly email: string;
  readonly passwordHash: string;
  readonly role: Role;
}

export interface UserRecordChanges {
  readonly name?: string;
  readonly email?: string;
  readonly passwordHash?: string;
  readonly role?: Role;
}

export type CreateResult = { ok: true; user: PublicUser } | { ok: false; reason: 'username-taken' | 'email-taken' };
export type UpdateResult = { ok: true; user: PublicUser } | { ok: false; reason: 'not-found' | 'email-taken' };

const COLUMNS = 'id, username, name, email, password, role, created_at';

/**
 * The legacy app's data access: raw SQL through prepared statements, as the team's app
 * has always done it. Writes run in IMMEDIATE transactions so the conflict checks hold
 * even when the new backend writes the same file at the same moment; the UNIQUE
 * constraints are the last line and are mapped to the same answers.
 */
export function createUserStore(db: SqliteDatabase) {
  const byId = db.prepare<[number], UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = ?`);
  const byUsername = db.prepare<[string], UserRow>(`SELECT ${COLUMNS} FROM users WHERE username = ?`);
  const all = db.prepare<[], UserRow>(`SELECT ${COLUMNS} FROM users ORDER BY id`);
  const emailTaken = db.prepare<[string, number], { id: number }>('SELECT id FROM users WHERE lower(email) = lower(?) AND id <> ? LIMIT 1');
  const insert = db.prepare<[string, string, string, string, Role, string]>(
    'INSERT INTO users (username, name, email, password, role, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const update = db.prepare<[string | null, string | null, string | null, Role | null, number]>(
    'UPDATE users SET name = coalesce(?, name), email = coalesce(?, email), password = coalesce(?, password), role = coalesce(?, role) WHERE id = ?',
  );
  const remove = db.prepare<[number]>('DELETE FROM users WHERE id = ?');
  // express-session keeps the user id inside the JSON blob; a deleted user's sessions go with it.
  const removeSessions = db.prepare<[number]>("DELETE FROM sessions WHERE json_extract(sess, '$.userId') = ?");

  const createTx = db.transaction((input: NewUserRecord): CreateResult => {
    if (byUsername.get(input.username)) return { ok: false, reason: 'username-taken' };
    if (emailTaken.get(input.email, 0)) return { ok: false, reason: 'email-taken' };
    const { lastInsertRowid } = insert.run(input.username, input.name, input.email, input.passwordHash, input.role, new Date().toISOString());
    return { ok: true, user: toPublicUser(byId.get(Number(lastInsertRowid)) as UserRow) };
  });

  const updateTx = db.transaction((id: number, changes: UserRecordChanges): UpdateResult => {
    if (!byId.get(id)) return { ok: false, reason: 'not-found' };
    if (changes.email !== undefined && emailTaken.get(changes.email, id)) return { ok: false, reason: 'email-taken' };
    update.run(changes.name ?? null, changes.email ?? null, changes.passwordHash ?? null, changes.role ?? null, id);
    return { ok: true, user: toPublicUser(byId.get(id) as UserRow) };
  });

  const removeTx = db.transaction((id: number): boolean => {
    const gone = remove.run(id).changes > 0;
    if (gone) removeSessions.run(id);
    return gone;
  });

  return {
    findById: (id: number): UserRow | undefined => byId.get(id),
    findByUsername: (username: string): UserRow | undefined => byUsername.get(username),
    list: (): PublicUser[] => all.all().map(toPublicUser),
    create(input: NewUserRecord): CreateResult {
      try {
        return createTx.immediate(input);
      } catch (err) {
        return uniqueViolation(err, input.username) ?? rethrow(err);
      }
    },
    update(id: number, changes: UserRecordChanges): UpdateResult {
      try {
        return updateTx.immediate(id, changes);
      } catch (err) {
        return uniqueViolation(err) === undefined ? rethrow(err) : { ok: false, reason: 'email-taken' };
      }
    },
    remove: (id: number): boolean => removeTx.immediate(id),
  };
}

export type UserStore = ReturnType<typeof createUserStore>;

/** A UNIQUE failure means another process won a race the transaction could not see. */
function uniqueViolation(err: unknown, username?: string): { ok: false; reason: 'username-taken' | 'email-taken' } | undefined {
  if (!(err instanceof Error) || (err as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') return undefined;
  return { ok: false, reason: username !== undefined && err.message.includes('users.username') ? 'username-taken' : 'email-taken' };
}

function rethrow(err: unknown): never {
  throw err;
}
