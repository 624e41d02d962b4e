/** Instance identity, users and roles, system settings, failed logins (issue 3). Never edit: append. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('instance')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('system_id', 'text', (c) => c.notNull())
    .addColumn('secret_salt', 'text', (c) => c.notNull())
    .addColumn('fallback_secret', 'text', (c) => c.notNull())
    .addColumn('created', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('user_role')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('code', 'text', (c) => c.unique())
    .addColumn('authorities', 'jsonb', (c) => c.notNull())
    .addColumn('created', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_updated', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('app_user')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('surname', 'text', (c) => c.notNull())
    .addColumn('disabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_updated', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('user_role_member')
    .addColumn('user_id', 'text', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('role_id', 'text', (c) => c.notNull().references('user_role.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('user_role_member_pk', ['user_id', 'role_id'])
    .execute();

  await db.schema
    .createTable('system_setting')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'jsonb', (c) => c.notNull())
    .addColumn('last_updated', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('login_failure')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('failed_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('login_failure_username_at')
    .on('login_failure')
    .columns(['username', 'failed_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'login_failure',
    'system_setting',
    'user_role_member',
    'app_user',
    'user_role',
    'instance',
  ])
    await db.schema.dropTable(t).execute();
}
