/** The temporary account lock after repeated failed logins (issue 3): pure, no database. */
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

describe('lockedUntil', () => {
  it('is null with no failures or fewer than maxFailures', () => {
    assert.equal(lockedUntil([], at(0), DEFAULT_THROTTLE), null);
    assert.equal(lockedUntil(failuresAt(0, 1, 2, 3), at(4 * MIN), DEFAULT_THROTTLE), null);
  });

  it('locks after exactly 5 failures within the window, until the last one + lockMs', () => {
    const failures = failuresAt(0, 1, 2, 3, 4);
    const until = lockedUntil(failures, at(4 * MIN), DEFAULT_THROTTLE);
    assert.deepEqual(until, at(4 * MIN + DEFAULT_THROTTLE.lockMs));
  });

  it('counts failures spanning exactly windowMs as within the window', () => {
    const failures = failuresAt(0, 5, 10, 14, 15);
    assert.deepEqual(lockedUntil(failures, at(15 * MIN), DEFAULT_THROTTLE), at(30 * MIN));
  });

  it('does not lock when 5 failures are spread wider than the window', () => {
    const failures = failuresAt(0, 4, 8, 12, 16); // first to last: 16 min > 15 min
    assert.equal(lockedUntil(failures, at(16 * MIN), DEFAULT_THROTTLE), null);
  });

  it('ignores input order', () => {
    const failures = failuresAt(4, 0, 3, 1, 2);
    assert.deepEqual(lockedUntil(failures, at(5 * MIN), DEFAULT_THROTTLE), at(19 * MIN));
  });

  it('expires: locked one millisecond before the end, free at the end and after', () => {
    const failures = failuresAt(0, 1, 2, 3, 4);
    const end = 4 * MIN + DEFAULT_THROTTLE.lockMs;
    assert.deepEqual(lockedUntil(failures, at(end - 1), DEFAULT_THROTTLE), at(end));
    assert.equal(lockedUntil(failures, at(end), DEFAULT_THROTTLE), null);
    assert.equal(lockedUntil(failures, at(end + MIN), DEFAULT_THROTTLE), null);
  });

  it('takes the latest lock when several windows qualify', () => {
    // 0..4 lock until 19; 1..5 (5 at minute 10) lock until 25.
    const failures = failuresAt(0, 1, 2, 3, 4, 10);
    assert.deepEqual(lockedUntil(failures, at(10 * MIN), DEFAULT_THROTTLE), at(25 * MIN));
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
    assert.equal(lookback(DEFAULT_THROTTLE), 30 * MIN);
    assert.equal(lookback({ maxFailures: 3, windowMs: 10, lockMs: 20 }), 30);
  });

  it('is long enough: failures older than lookback never lock now', () => {
    const failures = failuresAt(0, 1, 2, 3, 4);
    const now = at(4 * MIN + lookback(DEFAULT_THROTTLE));
    assert.equal(lockedUntil(failures, now, DEFAULT_THROTTLE), null);
  });
});
