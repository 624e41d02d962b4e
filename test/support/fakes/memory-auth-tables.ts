/**
 * The auth tables (app_user, user_role, user_role_member) in memory, shared by the fake
 * UserStore and the fake MetadataStore's users/userRoles projection, as the two database stores
 * share the tables.
 */
import type { UserRole } from '../../../src/domain/auth/users.ts';

export interface UserRow {
  id: string;
  username: string;
  passwordHash: string;
  email: string | null;
  firstName: string;
  surname: string;
  disabled: boolean;
  created: Date;
  lastUpdated: Date;
}

export interface AuthTables {
  users: Map<string, UserRow>;
  roles: Map<string, UserRole>;
  /** user id → role ids. */
  members: Map<string, Set<string>>;
}

export const createAuthTables = (): AuthTables => ({
  users: new Map(),
  roles: new Map(),
  members: new Map(),
});

export const cloneTables = (t: AuthTables): AuthTables => structuredClone(t);

/** Replaces `into`'s contents with `from`'s: a rolled-back transaction. */
export function restoreTables(into: AuthTables, from: AuthTables): void {
  for (const k of ['users', 'roles', 'members'] as const) {
    into[k].clear();
    for (const [key, v] of from[k] as Map<string, never>)
      (into[k] as Map<string, never>).set(key, v);
  }
}

/** Removes role memberships of roles that no longer exist (the database's cascade). */
export function cascadeRoles(t: AuthTables): void {
  for (const set of t.members.values()) for (const r of set) if (!t.roles.has(r)) set.delete(r);
}
