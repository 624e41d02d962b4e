/**
 * Users and user roles as the auth layer sees them. The bootstrap superuser and its role use
 * DHIS2's fixed ids so that metadata exchanged between instances (which carries users and roles)
 * refers to the same objects on a DHIS2 instance and on metasync (issue 3).
 */
import { Authority } from '../authorities.ts';

export interface UserRole {
  id: string;
  name: string;
  code: string | null;
  authorities: string[];
}

export interface User {
  id: string;
  username: string;
  email: string | null;
  firstName: string;
  surname: string;
  disabled: boolean;
  roleIds: string[];
  created: Date;
  lastUpdated: Date;
}

/** A user with what authentication needs: the password hash and the union of role authorities. */
export interface UserCredentials {
  user: User;
  passwordHash: string;
  authorities: string[];
}

export const SUPERUSER = {
  userId: 'M5zQapPyTZI',
  username: 'admin',
  firstName: 'admin',
  surname: 'admin',
  roleId: 'yrB6vc5Ip3r',
  roleName: 'Superuser',
  roleCode: 'Superuser',
} as const;

/**
 * The instance itself as an importer: start-up (default category model, first superuser) and
 * `metasync user create` act with the superuser's id and ALL.
 */
export const SUPERUSER_ACTOR = {
  id: SUPERUSER.userId,
  authorities: new Set<string>([Authority.ALL]),
} as const;

/** DHIS2 usernames: 4–255 characters of letters, digits and . _ - @ (DHIS2 UserService rules). */
export const USERNAME_PATTERN = /^[a-zA-Z0-9._@-]{4,255}$/;

/** DHIS2's password rule: 8–256 characters with an upper-case letter, a digit and a special one. */
export function passwordProblems(password: string): string[] {
  const problems: string[] = [];
  if (password.length < 8) problems.push('at least 8 characters');
  if (password.length > 256) problems.push('at most 256 characters');
  if (!/[A-Z]/.test(password)) problems.push('an upper-case letter');
  if (!/[0-9]/.test(password)) problems.push('a digit');
  if (!/[^a-zA-Z0-9]/.test(password)) problems.push('a special character');
  return problems;
}
