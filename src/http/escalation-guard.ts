/**
 * The HTTP side of `domain/auth/escalation.ts`: metadata writes through the API (the import and
 * the per-type routes) may not grant or touch authorities the caller does not hold. Answers 403
 * before anything is written, dry runs included.
 */
import type { Principal } from '../domain/auth/authenticate.ts';
import { escalations, type EscalationLookups, type ObjectRef } from '../domain/auth/escalation.ts';
import { AppError, ErrorCode } from '../domain/errors.ts';
import type { MetadataStore } from '../domain/ports.ts';
import type { Services } from '../services.ts';

type Json = Record<string, unknown>;

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
 * Lookups for one guarded request. A ref may match by code or username, so each type is listed
 * once per request (not once per payload object) and every ref is matched against that list.
 */
function storeLookups(store: MetadataStore): EscalationLookups {
  const lists = new Map<string, Promise<Json[]>>();
  const matching = async (type: string, ref: ObjectRef): Promise<Json[]> => {
    if (!lists.has(type)) lists.set(type, store.list(type));
    return (await lists.get(type)!).filter((o) => matches(o, ref));
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
      const all = await Promise.all(users.flatMap(roleRefs).map(roleAuthorities));
      return all.flatMap((a) => a ?? []);
    },
  };
}

/** Throws 403 when writing these users and roles would exceed what `principal` holds. */
export async function refuseEscalation(
  services: Services,
  principal: Principal,
  payload: { users?: unknown; userRoles?: unknown },
): Promise<void> {
  const problems = await escalations(
    { users: objects(payload.users), userRoles: objects(payload.userRoles) },
    principal.authorities,
    storeLookups(services.metadata.store),
  );
  if (problems.length > 0)
    throw new AppError(
      ErrorCode.FORBIDDEN,
      `Access is denied: you cannot grant or change authorities you do not hold (${problems.join('; ')})`,
    );
}
