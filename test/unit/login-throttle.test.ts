/**
 * The temporary account lock after repeated failed logins (issue 3): pure, no database. The
 * window arithmetic is shown with a five-failure policy (metasync's default before issue 16);
 * the default itself is DHIS2's.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_THROTTLE,
  lockedUntil,
  lookback,
  type ThrottlePolicy,
} from '../../src/domain/auth/login-throttle.ts';

const MIN = 60_000;
const T0 = Date.parse('2024-05-01T12:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);
/** Failures at T0 + each offset (in minutes). */
const failuresAt = (...minutes: number[]) => minutes.map((m) => at(m * MIN));
const FIVE: ThrottlePolicy = { maxFailures: 5, windowMs: 15 * MIN, lockMs: 15 * MIN };

describe('DEFAULT_THROTTLE', () => {
  it('is DHIS2’s: locked after 4 failures (LOGIN_MAX_FAILED_ATTEMPTS), for 15 minutes', () => {
    assert.deepEqual(DEFAULT_THROTTLE, { maxFailures: 4, windowMs: 15 * MIN, lockMs: 15 * MIN });
    assert.equal(lockedUntil(failuresAt(0, 1, 2), at(3 * MIN), DEFAULT_THROTTLE), null);
    assert.deepEqual(
      lockedUntil(failuresAt(0, 1, 2, 3), at(3 * MIN), DEFAULT_THROTTLE),
      at(18 * MIN),
    );
  });
});

describe('lockedUntil', () => {
  it('is null with no failures or fewer than maxFailures', () => {
    assert.equal(lockedUntil([], at(0), FIVE), null);
    assert.equal(lockedUntil(failuresAt(0, 1, 2, 3), at(4 * MIN), FIVE), null);
  });

  it('locks after exactly 5 failures within the window, until the last one + lockMs', () => {
    const failures = failuresAt(0, 1, 2, 3, 4);
    const until = lockedUntil(failures, at(4 * MIN), FIVE);
    assert.deepEqual(until, at(4 * MIN + FIVE.lockMs));
  });

  it('counts failures spanning exactly windowMs as within the window', () => {
    const failures = failuresAt(0, 5, 10, 14, 15);
    assert.deepEqual(lockedUntil(failures, at(15 * MIN), FIVE), at(30 * MIN));
  });

  it('does not lock when 5 failures are spread wider than the window', () => {
    const failures = failuresAt(0, 4, 8, 12, 16); // first to last: 16 min > 15 min
    assert.equal(lockedUntil(failures, at(16 * MIN), FIVE), null);
  });

  it('ignores input order', () => {
    const failures = failuresAt(4, 0, 3, 1, 2);
    assert.deepEqual(lockedUntil(failures, at(5 * MIN), FIVE), at(19 * MIN));
  });

  it('expires: locked one millisecond before the end, free at the end and after', () => {
    const failures = failuresAt(0, 1, 2, 3, 4);
    const end = 4 * MIN + FIVE.lockMs;
    assert.deepEqual(lockedUntil(failures, at(end - 1), FIVE), at(end));
    assert.equal(lockedUntil(failures, at(end), FIVE), null);
    assert.equal(lockedUntil(failures, at(end + MIN), FIVE), null);
  });

  it('takes the latest lock when several windows qualify', () => {
    // 0..4 lock until 19; 1..5 (5 at minute 10) lock until 25.
    const failures = failuresAt(0, 1, 2, 3, 4, 10);
    assert.deepEqual(lockedUntil(failures, at(10 * MIN), FIVE), at(25 * MIN));
  });

  it('honours a custom policy', () => {
    const policy: ThrottlePolicy = { maxFailures: 3, windowMs: 60_000, lockMs: 5 * MIN };
    assert.equal(lockedUntil([at(0), at(1000)], at(2000), policy), null);
    assert.deepEqual(
      lockedUntil([at(0), at(1000), at(2000)], at(2000), policy),
      at(2000 + 5 * MIN),
    );
    // Three failures 61 s apart from first to last: no lock.
    assert.equal(lockedUntil([at(0), at(30_000), at(61_000)], at(61_000), policy), null);
    assert.equal(lockedUntil([at(0), at(1000), at(2000)], at(2000 + 5 * MIN), policy), null);
  });

  it('maxFailures 1 locks on the first failure', () => {
    const policy: ThrottlePolicy = { maxFailures: 1, windowMs: 0, lockMs: 1000 };
    assert.deepEqual(lockedUntil([at(0)], at(0), policy), at(1000));
  });
});

describe('lookback', () => {
  it('is window plus lock duration', () => {
    assert.equal(lookback(FIVE), 30 * MIN);
    assert.equal(lookback({ maxFailures: 3, windowMs: 10, lockMs: 20 }), 30);
  });

  it('is long enough: failures older than lookback never lock now', () => {
    const failures = failuresAt(0, 1, 2, 3, 4);
    const now = at(4 * MIN + lookback(FIVE));
    assert.equal(lockedUntil(failures, now, FIVE), null);
  });
});
