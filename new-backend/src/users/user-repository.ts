import { sql, type Kysely } from 'kysely';
import type { Database, Role } from '../db/schema.js';

/** The user object of the frontend contract, keys in contract order. */
export interface PublicUser {
  readonly id: number;
  readonly username: string;
  readonly name: string;
  readonly email: string;
  readonly role: Role;
}

export interface NewUser {
  readonly username: string;
  readonly name: string;
  readonly email: string;
  readonly passwordHash: string;
  readonly role: Role;
}

export interface UserChanges {
  readonly name?: string;
  readonly email?: string;
  readonly passwordHash?: string;
  readonly role?: Role;
}

export type CreateResult = { ok: true; user: PublicUser } | { ok: false; reason: 'username-taken' | 'email-taken' };
export type UpdateResult = { ok: true; user: PublicUser } | { ok: false; reason: 'not-found' | 'email-taken' };

const PUBLIC = ['id', 'username', 'name', 'email', 'role'] as const;

export function toPublicUser(row: PublicUser): PublicUser {
  return { id: row.id, username: row.username, name: row.name, email: row.email, role: row.role };
}

/**
 * `users` through Kysely. Writes check conflicts and write in one transaction; a UNIQUE
 * failure (the legacy app won a race on the shared file) maps to the same answers.
 */
export function createUserRepository(db: Kysely<Database>) {
  const findById = async (id: number): Promise<PublicUser | undefined> => {
    const row = await db.selectFrom('users').select(PUBLIC).where('id', '=', id).executeTakeFirst();
    return row && toPublicUser(row);
  };
  const emailTaken = (trx: Kysely<Database>, email: string, exceptId: number) =>
    trx.selectFrom('users').select('id').where(sql<string>`lower(email)`, '=', sql<string>`lower(${email})`).where('id', '<>', exceptId).executeTakeFirst();

  return {
    findById,

    /** With the hash, for login only. */
    findForLogin: (username: string) =>
      db.selectFrom('users').select([...PUBLIC, 'password']).where('username', '=', username).executeTakeFirst(),

    list: async (): Promise<PublicUser[]> => (await db.selectFrom('users').select(PUBLIC).orderBy('id').execute()).map(toPublicUser),

    async create(input: NewUser): Promise<CreateResult> {
      try {
        return await db.transaction().execute(async (trx) => {
          if (await trx.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst()) {
            return { ok: false, reason: 'username-taken' } as const;
          }
          if (await emailTaken(trx, input.email, 0)) return { ok: false, reason: 'email-taken' } as const;
          const row = await trx.insertInto('users')
            .values({ username: input.username, name: input.name, email: input.email, password: input.passwordHash, role: input.role, created_at: new Date().toISOString() })
            .returning(PUBLIC)
            .executeTakeFirstOrThrow();
          return { ok: true, user: toPublicUser(row) } as const;
        });
      } catch (err) {
        const taken = uniqueViolation(err);
        if (!taken) throw err;
        return { ok: false, reason: taken };
      }
    },

    async update(id: number, changes: UserChanges): Promise<UpdateResult> {
      try {
        return await db.transaction().execute(async (trx) => {
          if (!(await trx.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst())) return { ok: false, reason: 'not-found' } as const;
          if (changes.email !== undefined && (await emailTaken(trx, changes.email, id))) return { ok: false, reason: 'email-taken' } as const;
          const set = {
            ...(changes.name !== undefined ? { name: changes.name } : {}),
            ...(changes.email !== undefined ? { email: changes.email } : {}),
            ...(changes.passwordHash !== undefined ? { password: changes.passwordHash } : {}),
            ...(changes.role !== undefined ? { role: changes.role } : {}),
          };
          const row = Object.keys(set).length
            ? await trx.updateTable('users').set(set).where('id', '=', id).returning(PUBLIC).executeTakeFirstOrThrow()
            : await trx.selectFrom('users').select(PUBLIC).where('id', '=', id).executeTakeFirstOrThrow();
          return { ok: true, user: toPublicUser(row) } as const;
        });
      } catch (err) {
        if (!uniqueViolation(err)) throw err;
        return { ok: false, reason: 'email-taken' };
      }
    },

    /** Deletes the user and, as the legacy app does, their sessions (express-session keeps the id in JSON). */
    async remove(id: number): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const result = await trx.deleteFrom('users').where('id', '=', id).executeTakeFirst();
        if (result.numDeletedRows === 0n) return false;
        await trx.deleteFrom('sessions').where(sql<number>`json_extract(sess, '$.userId')`, '=', id).execute();
        return true;
      });
    },
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;

function uniqueViolation(err: unknown): 'username-taken' | 'email-taken' | undefined {
  if (!(err instanceof Error) || (err as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') return undefined;
  return err.message.includes('users.username') ? 'username-taken' : 'email-taken';
}
