/**
 * The HTTP side of `domain/auth/escalation.ts`: metadata writes through the API (the import and
 * the per-type routes) may not grant or touch authorities the caller does not hold. Answers 403
 * before anything is written, dry runs included.
 */
import type { Principal } from '../domain/auth/authenticate.ts';
import { escalations, type EscalationLookups } from '../domain/auth/escalation.ts';
import { AppError, ErrorCode } from '../domain/errors.ts';
import type { MetadataStore } from '../domain/ports.ts';
import type { Services } from '../services.ts';

type Json = Record<string, unknown>;

const objects = (v: unknown): Json[] =>
  Array.isArray(v) ? v.filter((o): o is Json => typeof o === 'object' && o !== null) : [];

const roleIds = (user: Json): string[] =>
  [...objects(user.userRoles), ...objects((user.userCredentials as Json | undefined)?.userRoles)]
    .map((r) => r.id)
    .filter((id): id is string => typeof id === 'string');

function storeLookups(store: MetadataStore): EscalationLookups {
  const roleAuthorities = async (id: string) => {
    const role = await store.get('userRoles', id);
    return role ? ((role.authorities as unknown[] | undefined)?.map(String) ?? []) : null;
  };
  return {
    roleAuthorities,
    async userAuthorities({ id, username }) {
      let user = id ? await store.get('users', id) : null;
      if (!user && username)
        user =
          (await store.list('users')).find(
            (u) =>
              u.username === username ||
              (u.userCredentials as Json | undefined)?.username === username,
          ) ?? null;
      if (!user) return null;
      const all = await Promise.all(roleIds(user).map(roleAuthorities));
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
