/**
 * DHIS2's "lock user account temporarily after multiple failed login attempts": after
 * `maxFailures` failures for one username within `windowMs`, the username is refused for
 * `lockMs` even with the right password (issue 3). Failures while locked are not recorded, so an
 * attacker cannot keep a lock alive forever; the lock runs from the failure that completed it.
 */
export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = {
  maxFailures: 5,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
};

/**
 * Given the failure times of one username (any order), return when its lock ends, or null when it
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
