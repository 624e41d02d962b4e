/** UserStore over Kysely (PostgreSQL and PGlite). */
import { sql, type Kysely } from 'kysely';
import type { User, UserRole } from '../domain/auth/users.ts';
import { errors } from '../domain/errors.ts';
import type { UserStore } from '../domain/ports.ts';
import { isUniqueViolation } from './pg-errors.ts';
import type { Database } from './schema.ts';

type RoleRow = { id: string; name: string; code: string | null; authorities: string[] };
const toRole = (r: RoleRow): UserRole => ({
  id: r.id,
  name: r.name,
  code: r.code,
  authorities: r.authorities,
});

export function createKyselyUserStore(db: Kysely<Database>): UserStore {
  return {
    async countUsers() {
      const { n } = await db
        .selectFrom('app_user')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(n);
    },

    async createUser(u) {
      const now = new Date();
      // A repeated role id would violate the membership key and be reported as a taken username.
      const roleIds = [...new Set(u.roleIds)].sort();
      try {
        await db.transaction().execute(async (trx) => {
          await trx
            .insertInto('app_user')
            .values({
              id: u.id,
              username: u.username,
              password_hash: u.passwordHash,
              email: u.email,
              first_name: u.firstName,
              surname: u.surname,
              created: now,
              last_updated: now,
            })
            .execute();
          if (roleIds.length > 0)
            await trx
              .insertInto('user_role_member')
              .values(roleIds.map((role_id) => ({ user_id: u.id, role_id })))
              .execute();
        });
      } catch (e) {
        if (isUniqueViolation(e))
          throw errors.conflict(`A user with id ${u.id} or username ${u.username} exists`);
        throw e;
      }
      const user: User = {
        id: u.id,
        username: u.username,
        email: u.email,
        firstName: u.firstName,
        surname: u.surname,
        disabled: false,
        roleIds,
        created: now,
        lastUpdated: now,
      };
      return user;
    },

    async upsertRole(role) {
      const now = new Date();
      const authorities = JSON.stringify([...new Set(role.authorities)].sort());
      const row = await db
        .insertInto('user_role')
        .values({ id: role.id, name: role.name, code: role.code, authorities, last_updated: now })
        .onConflict((oc) =>
          oc
            .column('id')
            .doUpdateSet({ name: role.name, code: role.code, authorities, last_updated: now }),
        )
        .returning(['id', 'name', 'code', 'authorities'])
        .executeTakeFirstOrThrow();
      return toRole(row);
    },

    async findRole(id) {
      const row = await db
        .selectFrom('user_role')
        .select(['id', 'name', 'code', 'authorities'])
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? toRole(row) : null;
    },

    async findRoleByName(name) {
      const row = await db
        .selectFrom('user_role')
        .select(['id', 'name', 'code', 'authorities'])
        .where('name', '=', name)
        .executeTakeFirst();
      return row ? toRole(row) : null;
    },

    async findCredentials(username) {
      // One round trip: every API call authenticates, so this is on the hot path.
      const row = await db
        .selectFrom('app_user as u')
        .selectAll('u')
        .select(
          sql<
            { id: string; authorities: string[] }[] | null
          >`(select json_agg(json_build_object('id', r.id, 'authorities', r.authorities) order by r.id)
            from user_role_member m join user_role r on r.id = m.role_id where m.user_id = u.id)`.as(
            'roles',
          ),
        )
        .where('u.username', '=', username)
        .executeTakeFirst();
      if (!row) return null;
      const roles = row.roles ?? [];
      const authorities = [...new Set(roles.flatMap((r) => r.authorities))].sort();
      return {
        user: {
          id: row.id,
          username: row.username,
          email: row.email,
          firstName: row.first_name,
          surname: row.surname,
          disabled: row.disabled,
          roleIds: roles.map((r) => r.id),
          created: new Date(row.created),
          lastUpdated: new Date(row.last_updated),
        },
        passwordHash: row.password_hash,
        authorities,
      };
    },

    async setPassword(userId, passwordHash) {
      const r = await db
        .updateTable('app_user')
        .set({ password_hash: passwordHash, last_updated: new Date() })
        .where('id', '=', userId)
        .executeTakeFirst();
      if (r.numUpdatedRows === 0n) throw errors.notFound(`User not found: ${userId}`);
    },
  };
}
