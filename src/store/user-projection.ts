/**
 * Keeps the auth tables (app_user, user_role, user_role_member) in step with the `users` and
 * `userRoles` metadata objects, in the same transaction as the metadata write. Passwords arrive
 * already hashed; a user written without one keeps the hash it has (versions never carry
 * passwords, issue 4 §5), and a new user without one cannot log in until one is set.
 */
import { sql, type Transaction } from 'kysely';
import type { PlannedDelete, PlannedWrite } from '../domain/metadata/plan-import.ts';
import type { Database } from './schema.ts';

/** A hash no password matches: for users created without a password. */
export const NO_PASSWORD = '!';

/** The ids of a list of `{id}` references (a user's roles); anything else is no reference. */
export const refIds = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.flatMap((r) =>
        typeof r === 'object' && r !== null && typeof (r as { id?: unknown }).id === 'string'
          ? [(r as { id: string }).id]
          : [],
      )
    : [];

/** A non-empty string, else null (names and e-mails as the auth tables keep them). */
export const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export async function applyUserProjection(
  trx: Transaction<Database>,
  writes: readonly PlannedWrite[],
  deletes: readonly PlannedDelete[],
  passwordHashes: ReadonlyMap<string, string>,
): Promise<void> {
  const now = new Date();
  for (const w of writes) {
    if (w.type.key !== 'userRoles') continue;
    const authorities = JSON.stringify(
      [
        ...new Set(
          (w.payload.authorities as unknown[] | undefined)?.filter((a) => typeof a === 'string') ??
            [],
        ),
      ].sort(),
    );
    await trx
      .insertInto('user_role')
      .values({ id: w.id, name: w.name ?? w.id, code: w.code, authorities, last_updated: now })
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet({ name: w.name ?? w.id, code: w.code, authorities, last_updated: now }),
      )
      .execute();
  }
  const users = writes.filter((w) => w.type.key === 'users');
  for (let i = 0; i < users.length; i += 1000) {
    const part = users.slice(i, i + 1000);
    const rows = part.map((w) => {
      const p = w.payload;
      const creds = (
        typeof p.userCredentials === 'object' && p.userCredentials !== null ? p.userCredentials : {}
      ) as Record<string, unknown>;
      const hash = w.password === null ? null : (passwordHashes.get(w.password) ?? null);
      if (w.password !== null && hash === null)
        throw new Error(`No hash prepared for the password of user ${w.id}`);
      return {
        id: w.id,
        username: text(p.username) ?? text(creds.username) ?? w.id,
        password_hash: hash ?? NO_PASSWORD,
        email: text(p.email),
        first_name: text(p.firstName) ?? '',
        surname: text(p.surname) ?? '',
        disabled: p.disabled === true || creds.disabled === true,
        last_updated: now,
        roles: [...new Set([...refIds(p.userRoles), ...refIds(creds.userRoles)])],
        keepPassword: hash === null,
      };
    });
    await trx
      .insertInto('app_user')
      .values(rows.map(({ roles: _r, keepPassword: _k, ...row }) => row))
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          username: eb.ref('excluded.username'),
          email: eb.ref('excluded.email'),
          first_name: eb.ref('excluded.first_name'),
          surname: eb.ref('excluded.surname'),
          disabled: eb.ref('excluded.disabled'),
          last_updated: eb.ref('excluded.last_updated'),
          // No password in the object: the user keeps the one it has.
          password_hash: sql<string>`case when excluded.password_hash = ${NO_PASSWORD} then app_user.password_hash else excluded.password_hash end`,
        })),
      )
      .execute();
    const ids = rows.map((r) => r.id);
    await trx
      .deleteFrom('user_role_member')
      .where(sql<boolean>`user_id = any(${ids}::text[])`)
      .execute();
    const pairs = rows.flatMap((r) => r.roles.map((role) => [r.id, role] as const));
    if (pairs.length > 0)
      await sql`insert into user_role_member (user_id, role_id)
        select k.user_id, k.role_id from unnest(${pairs.map((p) => p[0])}::text[], ${pairs.map((p) => p[1])}::text[]) as k(user_id, role_id)
        join user_role r on r.id = k.role_id`.execute(trx);
  }
  const deletedUsers = deletes.filter((d) => d.type.key === 'users').map((d) => d.id);
  if (deletedUsers.length > 0)
    await trx
      .deleteFrom('app_user')
      .where(sql<boolean>`id = any(${deletedUsers}::text[])`)
      .execute();
  const deletedRoles = deletes.filter((d) => d.type.key === 'userRoles').map((d) => d.id);
  if (deletedRoles.length > 0)
    await trx
      .deleteFrom('user_role')
      .where(sql<boolean>`id = any(${deletedRoles}::text[])`)
      .execute();
}
