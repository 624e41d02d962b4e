/**
 * Conformance suites for the store ports of src/domain/ports.ts: each `register*Tests` function
 * registers one port's tests in the current `describe`, against whatever store its getter
 * returns when a test runs. test/integration/store-conformance.test.ts runs them on PGlite and
 * PostgreSQL, test/unit/store-conformance-memory.test.ts on the in-memory fakes
 * (test/support/fakes/), so what a unit test over a fake shows holds for the real stores too.
 * Tests share one store, so each uses its own names and never relies on another's rows.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ErrorCode, isAppError } from '../../src/domain/errors.ts';
import type {
  InstanceInfo,
  InstanceStore,
  LoginFailureStore,
  LoginKey,
  NewUser,
  SettingStore,
  UserStore,
} from '../../src/domain/ports.ts';
import { newUid } from '../../src/security/random.ts';

export type Get<T> = () => T;

const hasCode = (code: ErrorCode) => (e: unknown) => isAppError(e) && e.code === code;

export const newUser = (over: Partial<NewUser> & { username: string }): NewUser => ({
  id: newUid(),
  passwordHash: 'scrypt$1$1$1$c2FsdA==$aGFzaA==',
  email: null,
  firstName: 'First',
  surname: 'Last',
  roleIds: [],
  ...over,
});

export const info = (n: number): InstanceInfo => ({
  systemId: `system-${n}-${newUid()}`,
  secretSalt: `salt-${n}`,
  fallbackSecret: `secret-${n}`,
  created: new Date(Date.UTC(2024, 0, n, 12, 0, 0, 123)),
});

export const role = (name: string, authorities: string[]) =>
  ({ id: newUid(), name, code: null, authorities }) as const;

/** The UserStore, and a probe of the role memberships stored for a user (sorted role ids). */
export interface UserStoreUnderTest {
  users: UserStore;
  memberships(userId: string): Promise<string[]>;
}

export function registerUserStoreTests(get: Get<UserStoreUnderTest>) {
  const users = () => get().users;
  const memberships = (userId: string) => get().memberships(userId);

  it('createUser + findCredentials: authorities are the sorted, deduplicated union of roles', async () => {
    const r1 = await users().upsertRole(role('conf-r1', ['F_B', 'F_A', 'F_C', 'F_A']));
    const r2 = await users().upsertRole(role('conf-r2', ['F_D', 'F_C', 'F_A']));
    assert.deepEqual(r1.authorities, ['F_A', 'F_B', 'F_C']);
    const input = newUser({ username: 'conf.alice@x', email: 'a@x.org', roleIds: [r2.id, r1.id] });
    const created = await users().createUser(input);
    assert.equal(created.id, input.id);
    assert.equal(created.disabled, false);
    assert.deepEqual(created.roleIds, [r1.id, r2.id].sort());
    const creds = await users().findCredentials('conf.alice@x');
    assert.ok(creds);
    assert.deepEqual(creds.user, created);
    assert.equal(creds.passwordHash, input.passwordHash);
    assert.deepEqual(creds.authorities, ['F_A', 'F_B', 'F_C', 'F_D']);
  });

  it('stores a user without roles, and a repeated role id once', async () => {
    await users().createUser(newUser({ username: 'conf-noroles' }));
    assert.deepEqual((await users().findCredentials('conf-noroles'))?.authorities, []);
    const r = await users().upsertRole(role('conf-r-dup', ['F_X']));
    const u = await users().createUser(
      newUser({ username: 'conf-duprole', roleIds: [r.id, r.id] }),
    );
    assert.deepEqual(u.roleIds, [r.id]);
    assert.deepEqual((await users().findCredentials('conf-duprole'))?.user.roleIds, [r.id]);
  });

  it('matches usernames case-sensitively and answers null for unknown ones', async () => {
    await users().createUser(newUser({ username: 'Conf-Case' }));
    await users().createUser(newUser({ username: 'conf-case' }));
    assert.equal((await users().findCredentials('Conf-Case'))?.user.username, 'Conf-Case');
    assert.equal(await users().findCredentials('CONF-CASE'), null);
    assert.equal(await users().findCredentials('conf-nobody'), null);
  });

  it('refuses a duplicate username or id with CONFLICT and writes nothing', async () => {
    const r1 = await users().upsertRole(role('conf-dup-r1', ['F_ONE']));
    const r2 = await users().upsertRole(role('conf-dup-r2', ['F_TWO']));
    const first = await users().createUser(newUser({ username: 'conf-dup', roleIds: [r1.id] }));
    const count = await users().countUsers();

    const sameName = newUser({ username: 'conf-dup', roleIds: [r2.id] });
    await assert.rejects(users().createUser(sameName), hasCode(ErrorCode.CONFLICT));
    assert.deepEqual(await memberships(sameName.id), []);

    const sameId = newUser({ id: first.id, username: 'conf-dup-other', roleIds: [r2.id] });
    await assert.rejects(users().createUser(sameId), hasCode(ErrorCode.CONFLICT));
    assert.equal(await users().findCredentials('conf-dup-other'), null);
    // The existing user did not gain the failed attempt's role.
    assert.deepEqual(await memberships(first.id), [r1.id]);
    assert.deepEqual((await users().findCredentials('conf-dup'))?.authorities, ['F_ONE']);
    assert.equal(await users().countUsers(), count);
  });

  it('rolls the user row back when adding its role membership fails', async () => {
    const input = newUser({ username: 'conf-badrole', roleIds: ['noSuchRole1'] });
    await assert.rejects(users().createUser(input));
    assert.equal(await users().findCredentials('conf-badrole'), null);
    assert.deepEqual(await memberships(input.id), []);
  });

  it('countUsers counts every created user', async () => {
    const before = await users().countUsers();
    await users().createUser(newUser({ username: 'conf-count1' }));
    await users().createUser(newUser({ username: 'conf-count2' }));
    assert.equal(await users().countUsers(), before + 2);
  });

  it('upsertRole inserts, then replaces name, code and authorities', async () => {
    const inserted = await users().upsertRole({
      id: newUid(),
      name: 'conf-role-v1',
      code: 'CODE1',
      authorities: ['F_OLD', 'F_KEEP'],
    });
    const holder = await users().createUser(
      newUser({ username: 'conf-holder', roleIds: [inserted.id] }),
    );
    assert.deepEqual(await users().findRole(inserted.id), inserted);
    const updated = await users().upsertRole({
      id: inserted.id,
      name: 'conf-role-v2',
      code: null,
      authorities: ['F_NEW', 'F_KEEP'],
    });
    assert.deepEqual(updated, {
      id: inserted.id,
      name: 'conf-role-v2',
      code: null,
      authorities: ['F_KEEP', 'F_NEW'],
    });
    assert.deepEqual(await users().findRole(inserted.id), updated);
    assert.deepEqual(await users().findRoleByName('conf-role-v2'), updated);
    assert.equal(await users().findRoleByName('conf-role-v1'), null);
    const creds = await users().findCredentials(holder.username);
    assert.deepEqual(creds?.authorities, ['F_KEEP', 'F_NEW']);
  });

  it('findRole and findRoleByName answer null for unknown roles', async () => {
    assert.equal(await users().findRole('noSuchRole2'), null);
    assert.equal(await users().findRoleByName('conf no such role'), null);
  });

  it('setPassword replaces the hash; an unknown id is NOT_FOUND', async () => {
    const u = await users().createUser(newUser({ username: 'conf-pw' }));
    await users().setPassword(u.id, 'scrypt$new$hash');
    const creds = await users().findCredentials('conf-pw');
    assert.equal(creds?.passwordHash, 'scrypt$new$hash');
    assert.ok(creds.user.lastUpdated.getTime() >= u.lastUpdated.getTime());
    await assert.rejects(users().setPassword('noSuchUser1', 'x'), hasCode(ErrorCode.NOT_FOUND));
  });
}

export function registerSettingStoreTests(settings: Get<SettingStore>) {
  const values: [string, unknown][] = [
    ['conf.string', 'hello "world" ✓'],
    ['conf.emptyString', ''],
    ['conf.number', 42],
    ['conf.negativeFloat', -1.5],
    ['conf.true', true],
    ['conf.false', false],
    ['conf.null', null],
    ['conf.date', '2024-03-05T10:20:30.000Z'],
    ['conf.object', { a: [1, 'two', null], b: { c: false } }],
  ];

  it('round-trips a value of every JSON type through get and all', async () => {
    await settings().putMany(new Map(values));
    for (const [key, value] of values) assert.deepEqual(await settings().get(key), value, key);
    const all = await settings().all();
    for (const [key, value] of values) {
      assert.ok(all.has(key), key);
      assert.deepEqual(all.get(key), value, key);
    }
  });

  it('get answers undefined for a missing key (a stored null stays null)', async () => {
    assert.equal(await settings().get('conf.missing'), undefined);
    await settings().putMany(new Map([['conf.null2', null]]));
    assert.equal(await settings().get('conf.null2'), null);
  });

  it('putMany overwrites some keys and adds others, leaving the rest alone', async () => {
    await settings().putMany(
      new Map<string, unknown>([
        ['conf.pm.a', 1],
        ['conf.pm.b', 'b'],
      ]),
    );
    await settings().putMany(
      new Map<string, unknown>([
        ['conf.pm.a', 'one'],
        ['conf.pm.c', true],
      ]),
    );
    assert.equal(await settings().get('conf.pm.a'), 'one');
    assert.equal(await settings().get('conf.pm.b'), 'b');
    assert.equal(await settings().get('conf.pm.c'), true);
    await settings().putMany(new Map()); // nothing to write is not an error
  });

  it('putMany is atomic: one value the database refuses writes nothing', async () => {
    await settings().putMany(new Map([['conf.atomic.a', 'before']]));
    const batch = new Map<string, unknown>([
      ['conf.atomic.a', 'after'],
      ['conf.atomic.b', 'new'],
      ['conf.atomic.bad', 'NUL \u0000 is not valid in jsonb text'],
    ]);
    await assert.rejects(settings().putMany(batch));
    assert.equal(await settings().get('conf.atomic.a'), 'before');
    assert.equal(await settings().get('conf.atomic.b'), undefined);
    assert.equal(await settings().get('conf.atomic.bad'), undefined);
  });

  it('putMany deletes the `remove` keys in the same transaction', async () => {
    await settings().putMany(
      new Map<string, unknown>([
        ['conf.rm.a', 1],
        ['conf.rm.b', 2],
      ]),
    );
    await settings().putMany(new Map([['conf.rm.c', 3]]), ['conf.rm.a', 'conf.rm.missing']);
    assert.equal(await settings().get('conf.rm.a'), undefined);
    assert.equal(await settings().get('conf.rm.b'), 2);
    assert.equal(await settings().get('conf.rm.c'), 3);
    await settings().putMany(new Map(), ['conf.rm.b']); // removing only
    assert.equal(await settings().get('conf.rm.b'), undefined);
    // A failed write keeps the keys it was to remove.
    const bad = new Map([['conf.rm.bad', 'NUL \u0000']]);
    await assert.rejects(settings().putMany(bad, ['conf.rm.c']));
    assert.equal(await settings().get('conf.rm.c'), 3);
  });

  it('delete removes a key and answers whether there was one', async () => {
    await settings().putMany(new Map([['conf.del', 'x']]));
    assert.equal(await settings().delete('conf.del'), true);
    assert.equal(await settings().get('conf.del'), undefined);
    assert.ok(!(await settings().all()).has('conf.del'));
    assert.equal(await settings().delete('conf.del'), false);
    assert.equal(await settings().delete('conf.never'), false);
  });
}

/**
 * The LoginFailureStore port (issue 3; keyed by username and client since issue 16 §6). Takes
 * the store itself, so the in-memory fake (test/support/fakes/memory-login-failures.ts) runs it too.
 */
export function registerLoginFailureStoreTests(failures: Get<LoginFailureStore>) {
  const T0 = Date.parse('2030-01-01T00:00:00.000Z');
  const at = (ms: number) => new Date(T0 + ms);
  const A = '10.0.0.1';
  const B = '2001:db8:1:2::/64';
  const key = (username: string, client = A): LoginKey => ({ username, client });

  it('since returns the failures at or after the instant, oldest first, per username and client', async () => {
    for (const ms of [3000, 1000, 2000, 4000]) await failures().record(key('conf-lf'), at(ms));
    await failures().record(key('conf-lf-other'), at(2500));
    await failures().record(key('conf-lf', B), at(2600));
    assert.deepEqual(await failures().since(key('conf-lf'), at(0)), [
      at(1000),
      at(2000),
      at(3000),
      at(4000),
    ]);
    assert.deepEqual(await failures().since(key('conf-lf'), at(2000)), [
      at(2000),
      at(3000),
      at(4000),
    ]);
    assert.deepEqual(await failures().since(key('conf-lf'), at(4001)), []);
    assert.deepEqual(await failures().since(key('conf-lf', B), at(0)), [at(2600)]);
    assert.deepEqual(await failures().since(key('conf-lf', '10.0.0.2'), at(0)), []);
    assert.deepEqual(await failures().since(key('conf-lf-nobody'), at(0)), []);
  });

  it('keeps the empty client (no address known) apart from every other', async () => {
    await failures().record(key('conf-lf-empty', ''), at(1000));
    assert.deepEqual(await failures().since(key('conf-lf-empty', ''), at(0)), [at(1000)]);
    assert.deepEqual(await failures().since(key('conf-lf-empty'), at(0)), []);
  });

  it('clear removes one username and client only', async () => {
    await failures().record(key('conf-lf-c1'), at(1000));
    await failures().record(key('conf-lf-c1', B), at(1000));
    await failures().record(key('conf-lf-c2'), at(1000));
    await failures().clear(key('conf-lf-c1'));
    assert.deepEqual(await failures().since(key('conf-lf-c1'), at(0)), []);
    assert.deepEqual(await failures().since(key('conf-lf-c1', B), at(0)), [at(1000)]);
    assert.deepEqual(await failures().since(key('conf-lf-c2'), at(0)), [at(1000)]);
    await failures().clear(key('conf-lf-nobody')); // clearing nothing is fine
  });

  it('prunes failures older than 24 h when a new one is recorded', async () => {
    const day = 24 * 60 * 60_000;
    const now = day * 10;
    await failures().record(key('conf-lf-old'), at(now - day - 1));
    await failures().record(key('conf-lf-old', B), at(now - day - 1));
    await failures().record(key('conf-lf-old'), at(now - day + 60_000));
    assert.equal((await failures().since(key('conf-lf-old'), at(0))).length, 2);
    await failures().record(key('conf-lf-new', B), at(now));
    assert.deepEqual(await failures().since(key('conf-lf-old'), at(0)), [at(now - day + 60_000)]);
    assert.deepEqual(await failures().since(key('conf-lf-old', B), at(0)), []);
  });
}

export function registerInstanceStoreTests(instance: Get<InstanceStore>) {
  // First in its suite, so it sees an empty instance table.
  it('concurrent first ensure() calls agree on one of their rows', async () => {
    const inputs = [1, 2, 3, 4, 5].map(info);
    const rows = await Promise.all(inputs.map((i) => instance().ensure(i)));
    for (const r of rows) assert.deepEqual(r, rows[0]);
    assert.ok(inputs.some((i) => i.systemId === rows[0]!.systemId));
    assert.deepEqual(
      inputs.find((i) => i.systemId === rows[0]!.systemId),
      rows[0],
    );
  });

  it('ensure() returns the existing row, ignoring different input', async () => {
    const first = await instance().ensure(info(6));
    const second = await instance().ensure(info(7));
    assert.deepEqual(second, first);
    assert.ok(second.created instanceof Date);
  });

  it('ensureSigningKey() stores the first key and never replaces it (issue 20 §1)', async () => {
    const key = (n: number) => () => ({
      publicKeyPem: `pem-${n}`,
      sealedPrivateKey: `sealed-${n}`,
    });
    const rows = await Promise.all([1, 2, 3].map((n) => instance().ensureSigningKey(key(n))));
    for (const r of rows) assert.deepEqual(r, rows[0]);
    assert.match(rows[0]!.publicKeyPem, /^pem-[123]$/);
    assert.deepEqual(await instance().ensureSigningKey(key(9)), rows[0]);
  });
}
