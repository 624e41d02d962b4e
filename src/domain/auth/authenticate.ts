/**
 * Checks a username and password the way DHIS2's login does, with its temporary lock after
 * repeated failures (issue 3). Failure is data: the caller decides how to answer and what to log.
 */
import type { Clock, LoginFailureStore, PasswordHasher, UserStore } from '../ports.ts';
import { unstorable } from '../text.ts';
import { lockedUntil, lookback, type ThrottlePolicy } from './login-throttle.ts';
import type { User } from './users.ts';

export interface Principal {
  user: User;
  authorities: ReadonlySet<string>;
}

export type AuthResult =
  | { ok: true; principal: Principal }
  | { ok: false; reason: 'locked'; until: Date }
  | { ok: false; reason: 'invalid'; nowLockedUntil: Date | null }
  | { ok: false; reason: 'disabled' };

export interface AuthDeps {
  users: UserStore;
  failures: LoginFailureStore;
  hasher: PasswordHasher;
  clock: Clock;
  policy: ThrottlePolicy;
  /** A valid hash of some random password, checked for unknown users so timing tells nothing. */
  decoyHash: string;
}

export async function authenticate(
  deps: AuthDeps,
  username: string,
  password: string,
): Promise<AuthResult> {
  // No user is named so (imports refuse such text) and PostgreSQL cannot even look the name up:
  // a NUL in a Basic or UI login username answered 500 (issue 10 §4).
  if (unstorable(username)) return { ok: false, reason: 'invalid', nowLockedUntil: null };
  const now = deps.clock.now();
  const windowStart = new Date(now.getTime() - lookback(deps.policy));
  const failures = await deps.failures.since(username, windowStart);
  const until = lockedUntil(failures, now, deps.policy);
  if (until) return { ok: false, reason: 'locked', until };

  const creds = await deps.users.findCredentials(username);
  const matches = await deps.hasher.verify(password, creds?.passwordHash ?? deps.decoyHash);
  if (!creds || !matches) {
    await deps.failures.record(username, now);
    const nowLockedUntil = lockedUntil([...failures, now], now, deps.policy);
    return { ok: false, reason: 'invalid', nowLockedUntil };
  }
  if (creds.user.disabled) return { ok: false, reason: 'disabled' };
  if (failures.length > 0) await deps.failures.clear(username);
  return { ok: true, principal: { user: creds.user, authorities: new Set(creds.authorities) } };
}
