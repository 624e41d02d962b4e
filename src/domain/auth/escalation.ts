/**
 * No one grants what they do not hold (issue 10 §4). Without this, a user with only
 * F_METADATA_IMPORT could import a role with ALL and a user holding it, and one with only
 * F_METADATA_MANAGE could PUT a new password on the admin. As DHIS2 (a user can only issue roles
 * whose authorities they hold, and only a superuser changes a superuser), a principal without ALL
 * may not, in users and userRoles it writes or deletes:
 *  - give a role an authority it does not hold, or change or delete a role that holds one;
 *  - give a user a role holding such an authority;
 *  - change or delete a user who holds such an authority (their password included).
 * Objects are looked up by id, username AND code, whatever the import's `identifier`: under
 * identifier=CODE (or AUTO without an id) an import matches existing users and roles, and resolves
 * role references, by code, so a fresh id must not hide a privileged match (a bypass found by the
 * lead's review; security-escalation.test.ts).
 * The sync's own import is trusted (it applies the central's versions) and does not come here.
 */
import { Authority } from '../authorities.ts';

type Json = Record<string, unknown>;

/** What the store knows about the users and roles a payload names (null: no such object). */
/** How a payload names a role or user; any field that is set may match an existing object. */
export interface ObjectRef {
  id?: string | undefined;
  code?: string | undefined;
  username?: string | undefined;
}

export interface EscalationLookups {
  /** The union of the authorities of every role matching the ref; null when none does. */
  roleAuthorities(ref: ObjectRef): Promise<readonly string[] | null>;
  /** The union of the role authorities of every user matching the ref; null when none does. */
  userAuthorities(ref: ObjectRef): Promise<readonly string[] | null>;
}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** Role references (`[{id}]` or `[{code}]`) in a user's userRoles. */
const refs = (v: unknown): ObjectRef[] =>
  Array.isArray(v)
    ? v.flatMap((r) => {
        const ref = { id: str((r as Json)?.id), code: str((r as Json)?.code) };
        return ref.id || ref.code ? [ref] : [];
      })
    : [];

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
    const ref = { id: str(role.id), code: str(role.code) };
    for (const key of [ref.id, ref.code]) if (key) payloadRoles.set(key, strings(role.authorities));
    if (!ref.id && !ref.code) continue;
    const existing = missing((await lookups.roleAuthorities(ref)) ?? []);
    if (existing.length > 0) problems.push(`user role ${label} holds ${existing.join(', ')}`);
  }

  for (const user of payload.users) {
    const creds = (user.userCredentials as Json | undefined) ?? {};
    const username = str(user.username) ?? str(creds.username);
    const label = username ?? str(user.id) ?? '(new user)';
    for (const ref of [...refs(user.userRoles), ...refs(creds.userRoles)]) {
      const inPayload = [ref.id, ref.code].flatMap((k) => (k ? (payloadRoles.get(k) ?? []) : []));
      const granted = missing([...inPayload, ...((await lookups.roleAuthorities(ref)) ?? [])]);
      if (granted.length > 0)
        problems.push(
          `user ${label} would get ${[...new Set(granted)].join(', ')} (role ${ref.id ?? ref.code})`,
        );
    }
    const existing = await lookups.userAuthorities({
      id: str(user.id),
      code: str(user.code),
      username,
    });
    const holds = missing(existing ?? []);
    if (holds.length > 0) problems.push(`user ${label} holds ${holds.join(', ')}`);
  }
  return problems;
}
