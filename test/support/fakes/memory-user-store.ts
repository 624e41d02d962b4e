/**
 * An in-memory UserStore over shared auth tables (./memory-auth-tables.ts), held to the same
 * conformance suite as the database one: CONFLICT for a taken id or username, a unique role name
 * and code, all-or-nothing user creation.
 */
import type { UserCredentials, UserRole } from '../../../src/domain/auth/users.ts';
import { errors } from '../../../src/domain/errors.ts';
import type { UserStore } from '../../../src/domain/ports.ts';
import { createAuthTables, type AuthTables } from './memory-auth-tables.ts';
import { clone, foreignKeyViolation, uniqueViolation } from './unique-violation.ts';

export function createMemoryUserStore(tables: AuthTables = createAuthTables()): UserStore & {
  /** The role ids a user is a member of, sorted: what the conformance suite checks. */
  memberships(userId: string): Promise<string[]>;
} {
  const { users, roles, members } = tables;
  return {
    async countUsers() {
      return users.size;
    },
    async createUser(u) {
      const roleIds = [...new Set(u.roleIds)].sort();
      if (users.has(u.id) || [...users.values()].some((r) => r.username === u.username))
        throw errors.conflict(`A user with id ${u.id} or username ${u.username} exists`);
      const missing = roleIds.find((r) => !roles.has(r));
      if (missing) throw foreignKeyViolation(`user_role_member.role_id ${missing}`);
      const now = new Date();
      users.set(u.id, {
        id: u.id,
        username: u.username,
        passwordHash: u.passwordHash,
        email: u.email,
        firstName: u.firstName,
        surname: u.surname,
        disabled: false,
        created: now,
        lastUpdated: now,
      });
      members.set(u.id, new Set(roleIds));
      const { passwordHash: _p, ...user } = users.get(u.id)!;
      return { ...clone(user), roleIds };
    },
    async upsertRole(role) {
      for (const other of roles.values()) {
        if (other.id === role.id) continue;
        if (other.name === role.name) throw uniqueViolation(`user_role.name ${role.name}`);
        if (role.code !== null && other.code === role.code)
          throw uniqueViolation(`user_role.code ${role.code}`);
      }
      const stored: UserRole = {
        id: role.id,
        name: role.name,
        code: role.code,
        authorities: [...new Set(role.authorities)].sort(),
      };
      roles.set(role.id, stored);
      return clone(stored);
    },
    async findRole(id) {
      const r = roles.get(id);
      return r ? clone(r) : null;
    },
    async findRoleByName(name) {
      const r = [...roles.values()].find((x) => x.name === name);
      return r ? clone(r) : null;
    },
    async findCredentials(username): Promise<UserCredentials | null> {
      const row = [...users.values()].find((u) => u.username === username);
      if (!row) return null;
      const roleIds = [...(members.get(row.id) ?? [])].filter((r) => roles.has(r)).sort();
      const authorities = [...new Set(roleIds.flatMap((r) => roles.get(r)!.authorities))].sort();
      const { passwordHash, ...user } = clone(row);
      return { user: { ...user, roleIds }, passwordHash, authorities };
    },
    async setPassword(userId, passwordHash) {
      const row = users.get(userId);
      if (!row) throw errors.notFound(`User not found: ${userId}`);
      row.passwordHash = passwordHash;
      row.lastUpdated = new Date();
    },
    async memberships(userId) {
      return [...(members.get(userId) ?? [])].sort();
    },
  };
}
