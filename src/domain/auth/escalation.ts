/**
 * No one grants what they do not hold (issue 10 §4). Without this, a user with only
 * F_METADATA_IMPORT could import a role with ALL and a user holding it, and one with only
 * F_METADATA_MANAGE could PUT a new password on the admin. As DHIS2 (a user can only issue roles
 * whose authorities they hold, and only a superuser changes a superuser), a principal without ALL
 * may not, in users and userRoles it writes or deletes:
 *  - give a role an authority it does not hold, or change or delete a role that holds one;
 *  - give a user a role holding such an authority;
 *  - change or delete a user who holds such an authority (their password included).
 * The sync's own import is trusted (it applies the central's versions) and does not come here.
 */
import { Authority } from '../authorities.ts';

type Json = Record<string, unknown>;

/** What the store knows about the users and roles a payload names (null: no such object). */
export interface EscalationLookups {
  roleAuthorities(id: string): Promise<readonly string[] | null>;
  /** The union of the user's roles' authorities, found by id or else by username. */
  userAuthorities(ref: { id?: string; username?: string }): Promise<readonly string[] | null>;
}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

const ids = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.flatMap((r) => (typeof (r as Json)?.id === 'string' ? [(r as Json).id as string] : []))
    : [];

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** Why writing these users and roles would give `held` more than it has; empty when it would not. */
export async function escalations(
  payload: { users: readonly Json[]; userRoles: readonly Json[] },
  held: ReadonlySet<string>,
  lookups: EscalationLookups,
): Promise<string[]> {
  if (held.has(Authority.ALL)) return [];
  const missing = (authorities: readonly string[]) => authorities.filter((a) => !held.has(a));
  const problems: string[] = [];
  const payloadRoles = new Map<string, string[]>();

  for (const role of payload.userRoles) {
    const label = str(role.name) ?? str(role.id) ?? '(new role)';
    const granted = missing(strings(role.authorities));
    if (granted.length > 0) problems.push(`user role ${label} would grant ${granted.join(', ')}`);
    const id = str(role.id);
    if (!id) continue;
    payloadRoles.set(id, strings(role.authorities));
    const existing = missing((await lookups.roleAuthorities(id)) ?? []);
    if (existing.length > 0) problems.push(`user role ${label} holds ${existing.join(', ')}`);
  }

  for (const user of payload.users) {
    const creds = (user.userCredentials as Json | undefined) ?? {};
    const username = str(user.username) ?? str(creds.username);
    const label = username ?? str(user.id) ?? '(new user)';
    for (const roleId of new Set([...ids(user.userRoles), ...ids(creds.userRoles)])) {
      const granted = missing(
        payloadRoles.get(roleId) ?? (await lookups.roleAuthorities(roleId)) ?? [],
      );
      if (granted.length > 0)
        problems.push(`user ${label} would get ${granted.join(', ')} (role ${roleId})`);
    }
    const existing = await lookups.userAuthorities({ id: str(user.id), username });
    const holds = missing(existing ?? []);
    if (holds.length > 0) problems.push(`user ${label} holds ${holds.join(', ')}`);
  }
  return problems;
}
