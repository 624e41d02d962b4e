/**
 * Checks a username and password the way DHIS2's login does, with its temporary lock after
 * repeated failures when the system setting `keyLockMultipleFailedLogins` is on (issue 3; off by
 * default as DHIS2, issue 16 §6). Failure is data: the caller decides how to answer and what to
 * log.
 */
import type { Clock, LoginFailureStore, LoginKey, PasswordHasher, UserStore } from '../ports.ts';
import { unstorable } from '../text.ts';
import { lockoutClient } from './client-address.ts';
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
  /** DHIS2's `keyLockMultipleFailedLogins`: while false no failure is counted and nothing locks. */
  lockEnabled: () => Promise<boolean>;
  /** A valid hash of some random password, checked for unknown users so timing tells nothing. */
  decoyHash: string;
}

/** `address`: the client's address as the HTTP layer resolved it (lock key, issue 16 §6). */
export async function authenticate(
  deps: AuthDeps,
  username: string,
  password: string,
  address?: string,
): Promise<AuthResult> {
  // No user is named so (imports refuse such text) and PostgreSQL cannot even look the name up:
  // a NUL in a Basic or UI login username answered 500 (issue 10 §4).
  if (unstorable(username)) return { ok: false, reason: 'invalid', nowLockedUntil: null };
  const now = deps.clock.now();
  const client = lockoutClient(address);
  const key: LoginKey | null = (await deps.lockEnabled()) ? { username, client } : null;
  let failures: Date[] = [];
  if (key) {
    failures = await deps.failures.since(key, new Date(now.getTime() - lookback(deps.policy)));
    const until = lockedUntil(failures, now, deps.policy);
    if (until) return { ok: false, reason: 'locked', until };
  }

  const creds = await deps.users.findCredentials(username);
  const matches = await deps.hasher.verify(password, creds?.passwordHash ?? deps.decoyHash);
  if (!creds || !matches) {
    if (!key) return { ok: false, reason: 'invalid', nowLockedUntil: null };
    await deps.failures.record(key, now);
    const nowLockedUntil = lockedUntil([...failures, now], now, deps.policy);
    return { ok: false, reason: 'invalid', nowLockedUntil };
  }
  if (creds.user.disabled) return { ok: false, reason: 'disabled' };
  if (key && failures.length > 0) await deps.failures.clear(key);
  return { ok: true, principal: { user: creds.user, authorities: new Set(creds.authorities) } };
}
