/**
 * The store conformance suites on the in-memory fakes (test/support/fakes/): the same tests the
 * database stores pass in test/integration/store-*.test.ts, so the unit tests that use the fakes
 * rely only on what the real stores do.
 */
import { describe } from 'node:test';
import { registerDataStoreTests } from '../support/data-store-conformance.ts';
import { registerDataStoreMetadataTests } from '../support/data-store-metadata-conformance.ts';
import { createAuthTables } from '../support/fakes/memory-auth-tables.ts';
import { createMemoryDataStore } from '../support/fakes/memory-data-store.ts';
import { createMemoryInstanceStore } from '../support/fakes/memory-instance-store.ts';
import { createMemoryJobStore, type MemoryLease } from '../support/fakes/memory-job-store.ts';
import { createMemoryLoginFailures } from '../support/fakes/memory-login-failures.ts';
import { createMemoryMetadataStore } from '../support/fakes/memory-metadata-store.ts';
import { createMemorySettingStore } from '../support/fakes/memory-setting-store.ts';
import { createMemoryUserStore } from '../support/fakes/memory-user-store.ts';
import { registerTrackerStoreTests } from '../support/tracker-store-conformance.ts';
import { registerJobStoreTests } from '../support/job-store-conformance.ts';
import { registerMetadataStoreTests } from '../support/metadata-store-conformance.ts';
import { registerMetadataWriterTests } from '../support/metadata-writer-conformance.ts';
import {
  registerInstanceStoreTests,
  registerLoginFailureStoreTests,
  registerSettingStoreTests,
  registerUserStoreTests,
} from '../support/store-conformance.ts';

describe('store conformance on the in-memory fakes', () => {
  const instance = createMemoryInstanceStore();
  describe('InstanceStore', () => registerInstanceStoreTests(() => instance));

  const users = createMemoryUserStore();
  describe('UserStore', () =>
    registerUserStoreTests(() => ({ users, memberships: users.memberships })));

  const settings = createMemorySettingStore();
  describe('SettingStore', () => registerSettingStoreTests(() => settings));

  const failures = createMemoryLoginFailures();
  describe('LoginFailureStore', () => registerLoginFailureStoreTests(() => failures));

  let lease: MemoryLease | null = null;
  const jobs = createMemoryJobStore(() => lease);
  describe('JobStore', () =>
    registerJobStoreTests(() => ({
      jobs,
      async setLease(reportId, expiresAt) {
        lease = { reportId, expiresAt };
      },
    })));

  const tables = createAuthTables();
  const metadata = createMemoryMetadataStore(tables);
  const metadataUnderTest = () => ({
    metadata,
    users: createMemoryUserStore(tables),
    async recordedVersion(name: string) {
      const v = metadata.recordedVersions().find((r) => r.version.name === name)?.version;
      return v ? { name: v.name, number: v.number, hashCode: v.hashCode } : null;
    },
  });
  describe('MetadataStore', () => registerMetadataStoreTests(metadataUnderTest));
  describe('MetadataStore: writer', () => registerMetadataWriterTests(metadataUnderTest));

  const data = createMemoryDataStore(metadata);
  describe('DataStore', () => registerDataStoreTests(() => ({ data, metadata })));
  describe('DataStore: metadata', () => registerDataStoreMetadataTests(() => ({ data, metadata })));
  describe('DataStore: tracker', () => registerTrackerStoreTests(() => data));
});
