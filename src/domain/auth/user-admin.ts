/**
 * Creating users: the first-start superuser (DHIS2's fixed ids, issue 3) and `metasync user
 * create`. Users and roles are metadata (issue 4), so both go through the metadata import, which
 * also keeps the auth tables in step. Validation follows DHIS2's username and password rules so
 * that a user made here can be exported to a DHIS2 instance.
 */
import { AUTHORITY_PATTERN, Authority } from '../authorities.ts';
import { errors } from '../errors.ts';
import { DEFAULT_IMPORT_PARAMS, type ImportParams } from '../metadata/import-params.ts';
import type { ImportActor } from '../metadata/import-metadata.ts';
import type { ImportReport } from '../metadata/import-report.ts';
import type { UserStore } from '../ports.ts';
import {
  SUPERUSER,
  SUPERUSER_ACTOR,
  USERNAME_PATTERN,
  passwordProblems,
  type User,
} from './users.ts';

export type Importer = (
  body: unknown,
  params: ImportParams,
  actor: ImportActor,
) => Promise<ImportReport>;

export interface UserAdminDeps {
  users: UserStore;
  importMetadata: Importer;
  newUid: () => string;
}

const CREATE_ONLY: ImportParams = { ...DEFAULT_IMPORT_PARAMS, importStrategy: 'CREATE' };

const superuserRole = {
  id: SUPERUSER.roleId,
  name: SUPERUSER.roleName,
  code: SUPERUSER.roleCode,
  authorities: [Authority.ALL],
};

const firstError = (r: ImportReport) =>
  r.typeReports.flatMap((t) => t.objectReports.flatMap((o) => o.errorReports))[0];

/** Creates role "Superuser" and user "admin" when the instance has no user at all. */
export async function ensureSuperuser(
  deps: UserAdminDeps,
  password: string,
): Promise<{ created: boolean }> {
  if ((await deps.users.countUsers()) > 0) return { created: false };
  const roleExists = (await deps.users.findRole(SUPERUSER.roleId)) !== null;
  const report = await deps.importMetadata(
    {
      ...(roleExists ? {} : { userRoles: [superuserRole] }),
      users: [
        {
          id: SUPERUSER.userId,
          username: SUPERUSER.username,
          firstName: SUPERUSER.firstName,
          surname: SUPERUSER.surname,
          password,
          userRoles: [{ id: SUPERUSER.roleId }],
        },
      ],
    },
    CREATE_ONLY,
    SUPERUSER_ACTOR,
  );
  if (report.status === 'OK') return { created: true };
  // Another process on the same database won the race: that is the same outcome.
  if ((await deps.users.findCredentials(SUPERUSER.username)) !== null) return { created: false };
  throw new Error(
    `Could not create the superuser: ${firstError(report)?.message ?? report.status}`,
  );
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
export async function createUser(
  deps: UserAdminDeps,
  input: CreateUserInput,
  actor: ImportActor = SUPERUSER_ACTOR,
): Promise<User> {
  if (!USERNAME_PATTERN.test(input.username))
    throw errors.invalidField(
      'username',
      'Username must be 4–255 characters of letters, digits and . _ - @',
    );
  const problems = passwordProblems(input.password);
  if (problems.length > 0)
    throw errors.invalidField('password', `Password must have ${problems.join(', ')}`);
  const authorities = [...new Set(input.authorities.map((a) => a.trim()).filter(Boolean))];
  if (authorities.length === 0)
    throw errors.invalidField('authorities', 'At least one authority is required');
  const bad = authorities.filter((a) => !AUTHORITY_PATTERN.test(a));
  if (bad.length > 0)
    throw errors.invalidField('authorities', `Not an authority name: ${bad.join(', ')}`);
  if (input.email && !/^[^\s@]+@[^\s@]+$/.test(input.email))
    throw errors.invalidField('email', 'Not an e-mail address');
  if ((await deps.users.findCredentials(input.username)) !== null)
    throw errors.conflict(`Username already taken: ${input.username}`);

  const superuser = authorities.length === 1 && authorities[0] === Authority.ALL;
  const role = superuser
    ? superuserRole
    : { id: deps.newUid(), name: `Role of ${input.username}`, authorities };
  const roleExists = (await deps.users.findRole(role.id)) !== null;
  const report = await deps.importMetadata(
    {
      ...(roleExists ? {} : { userRoles: [role] }),
      users: [
        {
          id: deps.newUid(),
          username: input.username,
          firstName: input.firstName ?? input.username,
          surname: input.surname ?? input.username,
          ...(input.email ? { email: input.email } : {}),
          password: input.password,
          userRoles: [{ id: role.id }],
        },
      ],
    },
    CREATE_ONLY,
    actor,
  );
  if (report.status !== 'OK')
    throw errors.conflict(
      `Could not create user ${input.username}: ${firstError(report)?.message ?? report.status}`,
    );
  const created = await deps.users.findCredentials(input.username);
  if (!created) throw new Error(`User ${input.username} was imported but cannot be found`);
  return created.user;
}
