/**
 * One conformance suite per store port (test/support/store-conformance.ts), run on every backend:
 * what the domain relies on must hold for PGlite and PostgreSQL alike (issue 3 §3), and for the
 * in-memory fakes (test/unit/store-conformance-memory.test.ts). One database
 * per backend, opened once; the last test closes and reopens it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureSuperuser, type UserAdminDeps } from '../../src/domain/auth/user-admin.ts';
import { SUPERUSER } from '../../src/domain/auth/users.ts';
import { importMetadata } from '../../src/domain/metadata/import-metadata.ts';
import { newUid } from '../../src/security/random.ts';
import { createScryptHasher, isBcryptHash } from '../../src/security/scrypt-hasher.ts';
import type { OpenDatabase } from '../../src/store/db.ts';
import { createStores, type Stores } from '../../src/store/stores.ts';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import {
  info,
  newUser,
  registerInstanceStoreTests,
  registerLoginFailureStoreTests,
  registerSettingStoreTests,
  registerUserStoreTests,
  role,
} from '../support/store-conformance.ts';
import { registerDataStoreTests } from '../support/data-store-conformance.ts';
import { registerDataStoreMetadataTests } from '../support/data-store-metadata-conformance.ts';
import { registerMetadataStoreTests } from '../support/metadata-store-conformance.ts';
import { registerMetadataWriterTests } from '../support/metadata-writer-conformance.ts';
import { registerTrackerStoreTests } from '../support/tracker-store-conformance.ts';

for (const backend of await backends()) {
  describe(`store conformance on ${backend}`, () => {
    let database: TestDatabase;
    let open: OpenDatabase;
    let stores: Stores;
    before(async () => {
      database = await createTestDatabase(backend);
      open = await database.open();
      stores = createStores(open.db);
    });
    after(async () => {
      await open.close();
      await database.dispose();
    });

    describe('InstanceStore', () => registerInstanceStoreTests(() => stores.instance));
    describe('UserStore', () =>
      registerUserStoreTests(() => ({
        users: stores.users,
        memberships: async (userId) =>
          (
            await open.db
              .selectFrom('user_role_member')
              .select('role_id')
              .where('user_id', '=', userId)
              .orderBy('role_id')
              .execute()
          ).map((m) => m.role_id),
      })));
    describe('SettingStore', () => registerSettingStoreTests(() => stores.settings));
    describe('LoginFailureStore', () => registerLoginFailureStoreTests(() => stores.loginFailures));
    const metadataUnderTest = () => ({
      metadata: stores.metadata,
      users: stores.users,
      async recordedVersion(name: string) {
        const row = await open.db
          .selectFrom('metadata_version')
          .select(['name', 'number', 'hash_code'])
          .where('name', '=', name)
          .executeTakeFirst();
        return row ? { name: row.name, number: Number(row.number), hashCode: row.hash_code } : null;
      },
    });
    describe('MetadataStore', () => registerMetadataStoreTests(metadataUnderTest));
    describe('MetadataStore: writer', () => registerMetadataWriterTests(metadataUnderTest));
    describe('DataStore', () =>
      registerDataStoreTests(() => ({ data: stores.data, metadata: stores.metadata })));
    describe('DataStore: metadata', () =>
      registerDataStoreMetadataTests(() => ({ data: stores.data, metadata: stores.metadata })));
    describe('DataStore: tracker', () => registerTrackerStoreTests(() => stores.data));

    it('keeps what was written across close and reopen', async () => {
      const r = await stores.users.upsertRole(role('conf-restart', ['F_RESTART']));
      await stores.users.createUser(newUser({ username: 'conf-restart', roleIds: [r.id] }));
      await stores.settings.putMany(new Map<string, unknown>([['conf.restart', { n: 1 }]]));
      const failureKey = { username: 'conf-restart', client: '10.0.0.9' };
      await stores.loginFailures.record(failureKey, new Date('2031-01-01T00:00:00Z'));
      const instance = await stores.instance.ensure(info(8));
      const users = await stores.users.countUsers();

      await open.close();
      open = await database.open();
      stores = createStores(open.db);

      assert.deepEqual((await stores.users.findCredentials('conf-restart'))?.authorities, [
        'F_RESTART',
      ]);
      assert.equal(await stores.users.countUsers(), users);
      assert.deepEqual(await stores.settings.get('conf.restart'), { n: 1 });
      assert.deepEqual(await stores.loginFailures.since(failureKey, new Date(0)), [
        new Date('2031-01-01T00:00:00Z'),
      ]);
      assert.deepEqual(await stores.instance.ensure(info(8)), instance);
    });
  });
}

// PostgreSQL only: PGlite runs one statement at a time, so it would hide these races.
if ((await backends()).includes('postgres')) {
  describe('ensureSuperuser under concurrency on postgres', () => {
    let database: TestDatabase;
    let open: OpenDatabase;
    before(async () => {
      database = await createTestDatabase('postgres');
      open = await database.open();
    });
    after(async () => {
      await open.close();
      await database.dispose();
    });

    it('10 concurrent calls create exactly one admin and all resolve', async () => {
      const stores = createStores(open.db);
      const hasher = createScryptHasher({ N: 1024, r: 8, p: 1 });
      const importDeps = {
        store: stores.metadata,
        hasher,
        clock: { now: () => new Date() },
        newUid,
        isPasswordHash: isBcryptHash,
      };
      const deps: UserAdminDeps = {
        users: stores.users,
        importMetadata: (body, params, actorId) =>
          importMetadata(importDeps, body, params, actorId),
        newUid,
      };
      const results = await Promise.all(
        Array.from({ length: 10 }, () => ensureSuperuser(deps, 'Admin-Pass-1!')),
      );
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.equal(await stores.users.countUsers(), 1);
      const creds = await stores.users.findCredentials(SUPERUSER.username);
      assert.equal(creds?.user.id, SUPERUSER.userId);
      assert.deepEqual(creds.authorities, ['ALL']);
      assert.ok(await hasher.verify('Admin-Pass-1!', creds.passwordHash));
    });
  });
}
