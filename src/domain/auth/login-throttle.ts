/**
 * DHIS2's "lock user account temporarily after multiple failed login attempts" (system setting
 * `keyLockMultipleFailedLogins`, off unless set): after `maxFailures` failures within `windowMs`,
 * the lock key is refused for `lockMs` even with the right password (issue 3). DHIS2 keys the
 * count by username alone; metasync by username and client (issue 16 §6, `client-address.ts`),
 * so one misconfigured local cannot lock the account for everyone else. Failures while locked
 * are not recorded, so a client retrying a wrong password cannot keep its lock alive forever;
 * the lock runs from the failure that completed it.
 */
export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

/** DHIS2's: `LOGIN_MAX_FAILED_ATTEMPTS` = 4, its failed-login cache expiring after 15 minutes. */
export const DEFAULT_THROTTLE: ThrottlePolicy = {
  maxFailures: 4,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
};

/**
 * Given the failure times of one lock key (any order), return when its lock ends, or null when it
 * is not locked at `now`. A lock exists when some failure f completes `maxFailures` failures within
 * `windowMs` ending at f; it lasts until f + lockMs.
 */
export function lockedUntil(
  failures: readonly Date[],
  now: Date,
  policy: ThrottlePolicy,
): Date | null {
  if (failures.length < policy.maxFailures) return null;
  const times = failures.map((d) => d.getTime()).sort((a, b) => a - b);
  let until: number | null = null;
  for (let i = policy.maxFailures - 1; i < times.length; i++) {
    const last = times[i]!;
    const first = times[i - policy.maxFailures + 1]!;
    if (last - first <= policy.windowMs) until = Math.max(until ?? 0, last + policy.lockMs);
  }
  return until !== null && until > now.getTime() ? new Date(until) : null;
}

/** How far back the store must look to decide a lock at any instant. */
export const lookback = (policy: ThrottlePolicy): number => policy.windowMs + policy.lockMs;
