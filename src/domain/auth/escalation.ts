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
 * The check runs inside the metadata import use case (`importMetadata`), in the transaction that
 * writes, so every caller of the import is checked against what it reads there: the HTTP import,
 * the per-type routes, and any later caller. The sync's own import of a central's version is
 * trusted (it applies the central's versions through `applyVersion`) and does not come here.
 */
import { Authority } from '../authorities.ts';
import { AppError, ErrorCode } from '../errors.ts';

type Json = Record<string, unknown>;

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

const objects = (v: unknown): Json[] =>
  Array.isArray(v) ? v.filter((o): o is Json => typeof o === 'object' && o !== null) : [];

const roleRefs = (user: Json): ObjectRef[] =>
  [...objects(user.userRoles), ...objects((user.userCredentials as Json | undefined)?.userRoles)]
    .map((r) => ({
      id: typeof r.id === 'string' ? r.id : undefined,
      code: typeof r.code === 'string' ? r.code : undefined,
    }))
    .filter((r) => r.id || r.code);

const matches = (o: Json, ref: ObjectRef): boolean =>
  (ref.id !== undefined && o.id === ref.id) ||
  (ref.code !== undefined && o.code === ref.code) ||
  (ref.username !== undefined &&
    (o.username === ref.username ||
      (o.userCredentials as Json | undefined)?.username === ref.username));

/**
 * Lookups over stored objects as `list` answers them (inside the import's transaction). A ref may
 * match by code or username, so each type is listed once per check (not once per payload
 * object) and every ref is matched against that list.
 */
function listLookups(list: (type: string) => Promise<Json[]>): EscalationLookups {
  const lists = new Map<string, Json[]>();
  const matching = async (type: string, ref: ObjectRef): Promise<Json[]> => {
    if (!lists.has(type)) lists.set(type, await list(type));
    return lists.get(type)!.filter((o) => matches(o, ref));
  };
  const roleAuthorities = async (ref: ObjectRef) => {
    const roles = await matching('userRoles', ref);
    if (roles.length === 0) return null;
    return roles.flatMap((role) => (role.authorities as unknown[] | undefined)?.map(String) ?? []);
  };
  return {
    roleAuthorities,
    async userAuthorities(ref) {
      const users = await matching('users', ref);
      if (users.length === 0) return null;
      const all: (readonly string[] | null)[] = [];
      // One at a time: inside a transaction the reads share one connection.
      for (const r of users.flatMap(roleRefs)) all.push(await roleAuthorities(r));
      return all.flatMap((a) => a ?? []);
    },
  };
}

/**
 * Throws FORBIDDEN (403) when writing the payload's users and roles would exceed `held`; reads
 * the stored users and roles through `list`. Answers before anything is written, dry runs
 * included.
 */
export async function refuseEscalation(
  payload: unknown,
  held: ReadonlySet<string>,
  list: (type: string) => Promise<Json[]>,
): Promise<void> {
  if (held.has(Authority.ALL)) return; // nothing to read: ALL may write anything
  const body = (typeof payload === 'object' && payload !== null ? payload : {}) as Json;
  const problems = await escalations(
    { users: objects(body.users), userRoles: objects(body.userRoles) },
    held,
    listLookups(list),
  );
  if (problems.length > 0)
    throw new AppError(
      ErrorCode.FORBIDDEN,
      `Access is denied: you cannot grant or change authorities you do not hold (${problems.join('; ')})`,
    );
}
