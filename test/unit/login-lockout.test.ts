/**
 * The failed-login lock as `authenticate` applies it (issue 16 §6), with fakes and a movable
 * clock: off unless `keyLockMultipleFailedLogins` is on (as DHIS2), then counted per username and
 * client, so a local retrying a wrong password locks only itself. Also the client key
 * (`lockoutClient`) and the in-memory store's conformance with the database stores.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { authenticate, type AuthDeps } from '../../src/domain/auth/authenticate.ts';
import { UNPARSABLE_CLIENT, lockoutClient } from '../../src/domain/auth/client-address.ts';
import { DEFAULT_THROTTLE } from '../../src/domain/auth/login-throttle.ts';
import type { User } from '../../src/domain/auth/users.ts';
import type { UserStore } from '../../src/domain/ports.ts';
import { createMemoryLoginFailures } from '../support/fakes/memory-login-failures.ts';
import { registerLoginFailureStoreTests } from '../support/store-conformance.ts';

const MIN = 60_000;
const PASSWORD = 'Right-pass-1!';
const A = '10.0.0.1';
const B = '10.0.0.2';

const user: User = {
  id: 'LockUser001',
  username: 'admin',
  email: null,
  firstName: 'a',
  surname: 'b',
  disabled: false,
  roleIds: [],
  created: new Date(0),
  lastUpdated: new Date(0),
};

/** Only findCredentials is used by authenticate. */
const users = {
  findCredentials: async (username: string) =>
    username === 'admin' ? { user, passwordHash: `hash:${PASSWORD}`, authorities: ['ALL'] } : null,
} as unknown as UserStore;

function setup(lockOn: boolean) {
  let now = Date.parse('2030-06-01T08:00:00.000Z');
  const failures = createMemoryLoginFailures();
  let enabled = lockOn;
  const deps: AuthDeps = {
    users,
    failures,
    hasher: {
      hash: async (p) => `hash:${p}`,
      verify: async (p, h) => h === `hash:${p}`,
    },
    clock: { now: () => new Date(now) },
    policy: DEFAULT_THROTTLE,
    lockEnabled: async () => enabled,
    decoyHash: 'hash:decoy',
  };
  return {
    failures,
    login: (password: string, address: string, username = 'admin') =>
      authenticate(deps, username, password, address),
    advance: (ms: number) => (now += ms),
    setLock: (on: boolean) => (enabled = on),
  };
}

/**
 * What a DHIS2 local with a wrong password does to its central in one sync job (contract §7.2,
 * notes/dhis2-local-client.md): up to `syncMaxRemoteServerAvailabilityCheckAttempts` (3) pings
 * 500 ms apart per attempt, and the job retried `metadata.sync.retry` (3) times with a back-off.
 */
async function dhis2LocalWithWrongPassword(t: ReturnType<typeof setup>, address: string) {
  const outcomes: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    for (let ping = 0; ping < 3; ping++) {
      const r = await t.login('district', address);
      outcomes.push(r.ok ? 'ok' : r.reason);
      t.advance(500);
    }
    t.advance(30_000 * 2 ** attempt);
  }
  return outcomes;
}

describe('failed-login lock in authenticate', () => {
  it('with keyLockMultipleFailedLogins off (the default), no number of failures locks, nothing is stored', async () => {
    const t = setup(false);
    for (let i = 0; i < 50; i++) {
      const r = await t.login(`wrong-${i}`, A);
      assert.deepEqual(r, { ok: false, reason: 'invalid', nowLockedUntil: null });
    }
    assert.equal(t.failures.size(), 0);
    assert.equal((await t.login(PASSWORD, A)).ok, true);
  });

  it('with it on, locks after DHIS2’s 4 failures, for that client only', async () => {
    const t = setup(true);
    for (let i = 0; i < 3; i++) {
      const r = await t.login(`wrong-${i}`, A);
      assert.deepEqual(r, { ok: false, reason: 'invalid', nowLockedUntil: null });
    }
    const fourth = await t.login('wrong-3', A);
    assert.equal(fourth.ok, false);
    assert.ok(!fourth.ok && fourth.reason === 'invalid' && fourth.nowLockedUntil !== null);
    const locked = await t.login(PASSWORD, A);
    assert.ok(!locked.ok && locked.reason === 'locked');
    // Another client logs in with the right password; its own count starts at zero.
    assert.equal((await t.login(PASSWORD, B)).ok, true);
    for (let i = 0; i < 3; i++) assert.ok(!(await t.login(`b-wrong-${i}`, B)).ok);
    assert.equal((await t.login(PASSWORD, B)).ok, true);
  });

  it('unlocks a client after the lock time, which failures while locked do not extend', async () => {
    const t = setup(true);
    for (let i = 0; i < 4; i++) await t.login(`wrong-${i}`, A);
    const lockedAt = Date.parse('2030-06-01T08:00:00.000Z');
    for (let i = 0; i < 10; i++) {
      t.advance(MIN);
      const r = await t.login(`still-wrong-${i}`, A);
      assert.ok(!r.ok && r.reason === 'locked');
    }
    t.advance(DEFAULT_THROTTLE.lockMs - 10 * MIN - 1);
    const last = await t.login(PASSWORD, A);
    assert.ok(!last.ok && last.reason === 'locked');
    assert.deepEqual(last.until, new Date(lockedAt + DEFAULT_THROTTLE.lockMs));
    t.advance(1);
    assert.equal((await t.login(PASSWORD, A)).ok, true);
  });

  it('a success clears its own client’s count, not another client’s', async () => {
    const t = setup(true);
    for (let i = 0; i < 3; i++) {
      await t.login(`a-${i}`, A);
      await t.login(`b-${i}`, B);
    }
    assert.equal((await t.login(PASSWORD, A)).ok, true);
    const bFourth = await t.login('b-3', B);
    assert.ok(!bFourth.ok && bFourth.reason === 'invalid' && bFourth.nowLockedUntil !== null);
    assert.equal((await t.login('a-again', A)).ok, false);
    assert.equal((await t.login(PASSWORD, A)).ok, true, 'A had one failure since its success');
  });

  it('counts an IPv6 client by its /64, and an IPv4-mapped address as the IPv4 one', async () => {
    const t = setup(true);
    for (let i = 0; i < 4; i++) await t.login(`w-${i}`, `2001:db8:7:8::${i + 1}`);
    const sameNet = await t.login(PASSWORD, '2001:db8:7:8:ffff::99');
    assert.ok(!sameNet.ok && sameNet.reason === 'locked');
    assert.equal((await t.login(PASSWORD, '2001:db8:7:9::1')).ok, true);
    for (let i = 0; i < 4; i++) await t.login(`m-${i}`, `::ffff:${A}`);
    const mapped = await t.login(PASSWORD, A);
    assert.ok(!mapped.ok && mapped.reason === 'locked');
  });

  it('a DHIS2 local retrying a wrong password (3 pings × 3 attempts) leaves the account usable', async () => {
    // Off (the default): the fixed password works at once, from the local and from anyone.
    const off = setup(false);
    assert.deepEqual(await dhis2LocalWithWrongPassword(off, A), Array(9).fill('invalid'));
    assert.equal((await off.login(PASSWORD, A)).ok, true);
    assert.equal((await off.login(PASSWORD, B)).ok, true);

    // On: the local locks itself, nobody else; once the lock time has passed it is back.
    const on = setup(true);
    const outcomes = await dhis2LocalWithWrongPassword(on, A);
    assert.deepEqual(outcomes.slice(0, 4), Array(4).fill('invalid'));
    assert.deepEqual(outcomes.slice(4), Array(5).fill('locked'));
    assert.equal((await on.login(PASSWORD, B)).ok, true, 'the admin elsewhere is not locked out');
    const fixedTooEarly = await on.login(PASSWORD, A);
    assert.ok(!fixedTooEarly.ok && fixedTooEarly.reason === 'locked');
    on.advance(DEFAULT_THROTTLE.lockMs);
    assert.equal((await on.login(PASSWORD, A)).ok, true);
  });

  it('switching the setting off lifts a lock at once (as DHIS2 stops consulting its cache)', async () => {
    const t = setup(true);
    for (let i = 0; i < 4; i++) await t.login(`wrong-${i}`, A);
    assert.equal((await t.login(PASSWORD, A)).ok, false);
    t.setLock(false);
    assert.equal((await t.login(PASSWORD, A)).ok, true);
  });

  it('treats an unknown username like a wrong password, per client', async () => {
    const t = setup(true);
    for (let i = 0; i < 4; i++) await t.login('x', A, 'nobody-here');
    const r = await t.login('x', A, 'nobody-here');
    assert.ok(!r.ok && r.reason === 'locked');
    assert.ok(!(await t.login('x', B, 'nobody-here')).ok);
    const b = await t.login('x', B, 'nobody-here');
    assert.ok(!b.ok && b.reason === 'invalid');
  });
});

describe('lockoutClient', () => {
  const cases: [string | undefined, string][] = [
    [undefined, ''],
    ['', ''],
    ['127.0.0.1', '127.0.0.1'],
    ['10.1.2.3', '10.1.2.3'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['::FFFF:10.1.2.3', '10.1.2.3'],
    ['2001:db8:1:2:a:b:c:d', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.33', '64:ff9b:0:0::/64'],
    ['1::2::3', UNPARSABLE_CLIENT],
    ['1:2:3:4:5:6:7:8::', UNPARSABLE_CLIENT],
    ['bad\u0000address', UNPARSABLE_CLIENT],
    ['a'.repeat(65), UNPARSABLE_CLIENT],
    ['not an address', UNPARSABLE_CLIENT],
  ];
  for (const [input, want] of cases)
    it(`${JSON.stringify(input)} → ${want || "''"}`, () =>
      assert.equal(lockoutClient(input), want));
});

describe('in-memory LoginFailureStore conformance', () => {
  let store = createMemoryLoginFailures();
  beforeEach(() => {
    store = createMemoryLoginFailures();
  });
  registerLoginFailureStoreTests(() => store);
});
