import type { Kysely } from 'kysely';

/** Expand-only: the access-token denylist and per-user tokens-valid-after (SECURITY J8, J9). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('revoked_tokens')
    .addColumn('iss', 'text', (c) => c.notNull())
    .addColumn('jti', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('revoked_tokens_pk', ['iss', 'jti'])
    .execute();
  await db.schema.createIndex('revoked_tokens_expires_at').on('revoked_tokens').column('expires_at').execute();
  await db.schema
    .createTable('user_token_state')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().notNull().references('users.id').onDelete('cascade'))
    .addColumn('tokens_valid_after', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('user_token_state').execute();
  await db.schema.dropTable('revoked_tokens').execute();
}
