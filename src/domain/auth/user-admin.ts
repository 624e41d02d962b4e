/**
 * Creating users: the first-start superuser (DHIS2's fixed ids, issue 3) and `metasync user
 * create`. Validation follows DHIS2's username and password rules so that a user made here can
 * be exported to a DHIS2 instance.
 */
import { AUTHORITY_PATTERN, Authority } from '../authorities.ts';
import { errors } from '../errors.ts';
import type { PasswordHasher, UserStore } from '../ports.ts';
import { SUPERUSER, USERNAME_PATTERN, passwordProblems, type User } from './users.ts';

export interface UserAdminDeps {
  users: UserStore;
  hasher: PasswordHasher;
  newUid: () => string;
}

/** Creates role "Superuser" and user "admin" when the instance has no user at all. */
export async function ensureSuperuser(
  deps: UserAdminDeps,
  password: string,
): Promise<{ created: boolean }> {
  if ((await deps.users.countUsers()) > 0) return { created: false };
  await deps.users.upsertRole({
    id: SUPERUSER.roleId,
    name: SUPERUSER.roleName,
    code: SUPERUSER.roleCode,
    authorities: [Authority.ALL],
  });
  try {
    await deps.users.createUser({
      id: SUPERUSER.userId,
      username: SUPERUSER.username,
      passwordHash: await deps.hasher.hash(password),
      email: null,
      firstName: SUPERUSER.firstName,
      surname: SUPERUSER.surname,
      roleIds: [SUPERUSER.roleId],
    });
  } catch (e) {
    // Another process on the same database won the race: that is the same outcome.
    if ((await deps.users.findCredentials(SUPERUSER.username)) !== null) return { created: false };
    throw e;
  }
  return { created: true };
}

export interface CreateUserInput {
  username: string;
  password: string;
  authorities: string[];
  email?: string | null;
  firstName?: string;
  surname?: string;
}

/**
 * Creates a user holding exactly `authorities`: `ALL` alone maps to the Superuser role; any other
 * set gets a role of its own named after the user.
 */
export async function createUser(deps: UserAdminDeps, input: CreateUserInput): Promise<User> {
  if (!USERNAME_PATTERN.test(input.username))
    throw errors.validation('Username must be 4–255 characters of letters, digits and . _ - @');
  const problems = passwordProblems(input.password);
  if (problems.length > 0) throw errors.validation(`Password must have ${problems.join(', ')}`);
  const authorities = [...new Set(input.authorities.map((a) => a.trim()).filter(Boolean))];
  if (authorities.length === 0) throw errors.validation('At least one authority is required');
  const bad = authorities.filter((a) => !AUTHORITY_PATTERN.test(a));
  if (bad.length > 0) throw errors.validation(`Not an authority name: ${bad.join(', ')}`);
  if (input.email && !/^[^\s@]+@[^\s@]+$/.test(input.email))
    throw errors.validation('Not an e-mail address');
  if ((await deps.users.findCredentials(input.username)) !== null)
    throw errors.conflict(`Username already taken: ${input.username}`);

  let roleId: string;
  if (authorities.length === 1 && authorities[0] === Authority.ALL) {
    await deps.users.upsertRole({
      id: SUPERUSER.roleId,
      name: SUPERUSER.roleName,
      code: SUPERUSER.roleCode,
      authorities: [Authority.ALL],
    });
    roleId = SUPERUSER.roleId;
  } else {
    roleId = deps.newUid();
    await deps.users.upsertRole({
      id: roleId,
      name: `Role of ${input.username}`,
      code: null,
      authorities,
    });
  }
  return deps.users.createUser({
    id: deps.newUid(),
    username: input.username,
    passwordHash: await deps.hasher.hash(input.password),
    email: input.email ?? null,
    firstName: input.firstName ?? input.username,
    surname: input.surname ?? input.username,
    roleIds: [roleId],
  });
}
