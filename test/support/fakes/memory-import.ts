/**
 * The metadata import use case (src/domain/metadata/import-metadata.ts) over the in-memory
 * stores, with the default category model in place as on a started instance: what the planner's
 * unit tests run instead of a server. The clock moves one second per read, so each import has
 * its own `now`.
 */
import { ensureSuperuser } from '../../../src/domain/auth/user-admin.ts';
import { Authority } from '../../../src/domain/authorities.ts';
import { SUPERUSER_ACTOR } from '../../../src/domain/auth/users.ts';
import {
  DEFAULT_IMPORT_PARAMS,
  type ImportParams,
} from '../../../src/domain/metadata/import-params.ts';
import {
  importMetadata,
  type ImportActor,
  type ImportDeps,
} from '../../../src/domain/metadata/import-metadata.ts';
import { ensureDefaults } from '../../../src/domain/metadata/defaults.ts';
import { DEFAULTS } from '../../../src/domain/metadata/types.ts';
import type { PasswordHasher } from '../../../src/domain/ports.ts';
import { isBcryptHash } from '../../../src/security/scrypt-hasher.ts';
import { uidSource } from '../generate-metadata.ts';
import { createAuthTables } from './memory-auth-tables.ts';
import { createMemoryMetadataStore } from './memory-metadata-store.ts';
import { createMemoryUserStore } from './memory-user-store.ts';

/** Not a real hash: enough to tell which password a user was given. */
export const fakeHasher: PasswordHasher = {
  async hash(password) {
    return `fake$${password}`;
  },
  async verify(password, hash) {
    return hash === `fake$${password}`;
  },
};

/**
 * `superuser`: also role Superuser and user admin, as a started instance has them (what
 * test/support/reset.ts restores between the fixture tests on a server).
 */
export async function createImportWorld(seed = 1, { superuser = false } = {}) {
  const tables = createAuthTables();
  const store = createMemoryMetadataStore(tables);
  const users = createMemoryUserStore(tables);
  let t = Date.parse('2026-01-01T00:00:00.000Z');
  const deps: ImportDeps = {
    store,
    hasher: fakeHasher,
    clock: { now: () => new Date((t += 1000)) },
    newUid: uidSource(seed),
    isPasswordHash: isBcryptHash,
  };
  const run = (
    body: unknown,
    params: Partial<ImportParams> = {},
    actor: ImportActor | string = SUPERUSER_ACTOR,
  ) =>
    importMetadata(
      deps,
      body,
      { ...DEFAULT_IMPORT_PARAMS, ...params },
      // A bare id imports with ALL: these tests are about the import, not the escalation rule.
      typeof actor === 'string' ? { id: actor, authorities: new Set([Authority.ALL]) } : actor,
    );
  await ensureDefaults(
    async () => (await store.get('categoryCombos', DEFAULTS.categoryCombo)) !== null,
    (body, params, actor) => importMetadata(deps, body, params, actor),
    SUPERUSER_ACTOR,
  );
  if (superuser)
    await ensureSuperuser(
      {
        users,
        importMetadata: (body, params, actor) => importMetadata(deps, body, params, actor),
        newUid: deps.newUid,
      },
      'Admin-Pass-1!',
    );
  return { store, users, tables, deps, run };
}
