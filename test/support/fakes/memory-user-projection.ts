/**
 * The fake MetadataStore's users/userRoles projection into the auth tables: the same rules as
 * src/store/user-projection.ts (a user written without a password keeps its hash, memberships of
 * unknown roles are dropped, a deleted role leaves its users' memberships).
 */
import type { PlannedDelete, PlannedWrite } from '../../../src/domain/metadata/plan-import.ts';
import { NO_PASSWORD, refIds, text } from '../../../src/store/user-projection.ts';
import { cascadeRoles, type AuthTables } from './memory-auth-tables.ts';
import { uniqueViolation } from './unique-violation.ts';

export function projectUsers(
  t: AuthTables,
  writes: readonly PlannedWrite[],
  deletes: readonly PlannedDelete[],
  passwordHashes: ReadonlyMap<string, string>,
): void {
  const now = new Date();
  for (const w of writes) {
    if (w.type.key !== 'userRoles') continue;
    const name = w.name ?? w.id;
    for (const other of t.roles.values())
      if (other.id !== w.id && (other.name === name || (w.code && other.code === w.code)))
        throw uniqueViolation(`user_role ${name}`);
    const authorities = [
      ...new Set(
        (w.payload.authorities as unknown[] | undefined)?.filter(
          (a): a is string => typeof a === 'string',
        ) ?? [],
      ),
    ].sort();
    t.roles.set(w.id, { id: w.id, name, code: w.code, authorities });
  }
  for (const w of writes) {
    if (w.type.key !== 'users') continue;
    const p = w.payload;
    const creds = (
      typeof p.userCredentials === 'object' && p.userCredentials !== null ? p.userCredentials : {}
    ) as Record<string, unknown>;
    const hash = w.password === null ? null : (passwordHashes.get(w.password) ?? null);
    if (w.password !== null && hash === null)
      throw new Error(`No hash prepared for the password of user ${w.id}`);
    const username = text(p.username) ?? text(creds.username) ?? w.id;
    for (const other of t.users.values())
      if (other.id !== w.id && other.username === username)
        throw uniqueViolation(`app_user.username ${username}`);
    const stored = t.users.get(w.id);
    t.users.set(w.id, {
      id: w.id,
      username,
      passwordHash: hash ?? stored?.passwordHash ?? NO_PASSWORD,
      email: text(p.email),
      firstName: text(p.firstName) ?? '',
      surname: text(p.surname) ?? '',
      disabled: p.disabled === true || creds.disabled === true,
      created: stored?.created ?? now,
      lastUpdated: now,
    });
    const roles = [...refIds(p.userRoles), ...refIds(creds.userRoles)].filter((r) =>
      t.roles.has(r),
    );
    t.members.set(w.id, new Set(roles));
  }
  for (const d of deletes) {
    if (d.type.key === 'users') {
      t.users.delete(d.id);
      t.members.delete(d.id);
    }
    if (d.type.key === 'userRoles') t.roles.delete(d.id);
  }
  cascadeRoles(t);
}
