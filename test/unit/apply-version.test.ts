/**
 * Applying one version pulled from the central (`applyVersion`, contract §9.1, issue 6 §2 d)
 * over an in-memory local: the MD5 and chain checks, the DHIS2 release check
 * (keyStopMetadataSync), ATOMIC vs BEST_EFFORT, deletions, types metasync does not store, the
 * version recorded, and that the import and the version record commit or roll back together.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { applyVersion, type ApplyOptions } from '../../src/domain/sync/apply-version.ts';
import type { RemoteVersion, Snapshot } from '../../src/domain/sync/central-client.ts';
import type { MetadataVersion } from '../../src/domain/versioning/version.ts';
import {
  centralSystem,
  md5,
  snapshotBytes,
  type SnapshotInput,
} from '../support/fakes/fake-central-client.ts';
import { dataElement } from '../support/fakes/sync-run-harness.ts';
import { memoryLocal } from '../support/fakes/sync-import-fakes.ts';

type Local = Awaited<ReturnType<typeof memoryLocal>>;

const CREATED = new Date('2026-01-01T00:05:00.000Z');

function version(bytes: Buffer, extra: Partial<RemoteVersion> = {}): RemoteVersion {
  return {
    name: 'Version_1',
    type: 'ATOMIC',
    id: 'verC0000001',
    hashCode: md5(bytes),
    created: CREATED,
    parentHashCode: null,
    ...extra,
  };
}

const options = (extra: Partial<ApplyOptions> = {}): ApplyOptions => ({
  stopOnVersionMismatch: false,
  localSystemVersion: '2.41.0',
  centralSystemVersion: '2.41.0',
  current: null,
  actorId: 'M5zQapPyTZI',
  gzip: (b) => gzipSync(b),
  ...extra,
});

/** Applies a snapshot built from `input` (or given as bytes) as `Version_1`. */
async function apply(
  local: Local,
  input: SnapshotInput | Buffer,
  remote: Partial<RemoteVersion> = {},
  opts: Partial<ApplyOptions> = {},
  sentGzip = false,
) {
  const bytes = Buffer.isBuffer(input) ? input : snapshotBytes(input);
  const snapshot: Snapshot = { bytes, gzip: sentGzip ? gzipSync(bytes) : null };
  return applyVersion(local.deps, version(bytes, remote), snapshot, options(opts));
}

const read = async (it: AsyncIterable<Uint8Array> | null) => {
  const parts: Buffer[] = [];
  for await (const p of it ?? []) parts.push(Buffer.from(p));
  return Buffer.concat(parts);
};

const elements = (local: Local) => local.store.list('dataElements');

describe('applyVersion: a good version', () => {
  it('imports the objects and records the version as the central made it, in one transaction', async () => {
    const local = await memoryLocal();
    const commits = local.store.commits;
    const bytes = snapshotBytes({ objects: { dataElements: [dataElement(1), dataElement(2)] } });
    const result = await apply(local, bytes, { parentHashCode: 'a'.repeat(32) });
    assert.equal(result.ok, true);
    assert.equal(local.store.commits, commits + 1, 'one write transaction');
    assert.deepEqual(result.report, {
      name: 'Version_1',
      type: 'ATOMIC',
      status: 'SUCCESS',
      errors: [],
      stats: { created: 2, updated: 0, deleted: 0, ignored: 0, total: 2 },
      typeStats: {
        'org.hisp.dhis.dataelement.DataElement': {
          created: 2,
          updated: 0,
          deleted: 0,
          ignored: 0,
          total: 2,
        },
      },
      seconds: 0,
    });
    const recorded = (await local.versions.byName('Version_1'))!;
    assert.deepEqual(recorded, {
      id: 'verC0000001',
      name: 'Version_1',
      number: 1,
      type: 'ATOMIC',
      hashCode: md5(bytes),
      parentHashCode: 'a'.repeat(32),
      created: CREATED,
      importDate: local.clock.now(),
      bytes: bytes.length,
      gzipBytes: gzipSync(bytes).length,
      objects: 2,
      deletions: 0,
      types: { dataElements: 2 },
    } satisfies MetadataVersion);
    assert.deepEqual(
      (await elements(local)).map((d) => d.id),
      [dataElement(1).id, dataElement(2).id],
    );
  });

  it('stores the exact bytes that were hashed, and the central’s gzip as it sent it', async () => {
    const local = await memoryLocal();
    const bytes = snapshotBytes({ objects: { dataElements: [dataElement(1)] } });
    const sent = gzipSync(bytes, { level: 1 });
    const snapshot: Snapshot = { bytes, gzip: sent };
    const result = await applyVersion(local.deps, version(bytes), snapshot, options());
    assert.equal(result.ok, true);
    const id = 'verC0000001';
    assert.deepEqual(await read(await local.versions.readSnapshot(id, 'gz')), sent);
    assert.deepEqual(await read(await local.versions.readSnapshot(id, 'json')), bytes);
    assert.equal(result.ok && result.version.gzipBytes, sent.length);
    // The raw JSON is let go once parsed (a bootstrap snapshot is tens of MB).
    assert.equal((snapshot as { bytes: Buffer | null }).bytes, null);
  });

  it('a version listed without an id gets a new uid', async () => {
    const local = await memoryLocal();
    const result = await apply(local, { objects: {} }, { id: '' });
    assert.ok(result.ok);
    assert.match(result.version.id, /^uidL\d{7}$/);
    assert.deepEqual(result.version.created, CREATED);
  });

  it('a version listed with an unreadable created date is dated now', async () => {
    const local = await memoryLocal();
    const result = await apply(local, { objects: {} }, { created: new Date(NaN) });
    assert.ok(result.ok);
    assert.deepEqual(result.version.created, local.clock.now());
  });

  it('without parentHashCode (a DHIS2 central) it records the current version’s hashCode as parent', async () => {
    const local = await memoryLocal();
    const first = await apply(local, { objects: { dataElements: [dataElement(1)] } });
    assert.ok(first.ok);
    const bytes = snapshotBytes({ objects: { dataElements: [dataElement(2)] } });
    const second = await applyVersion(
      local.deps,
      version(bytes, { name: 'Version_2', id: 'verC0000002' }),
      { bytes, gzip: null },
      options({ current: first.version }),
    );
    assert.ok(second.ok);
    assert.equal(second.version.parentHashCode, first.version.hashCode);
    assert.equal(second.version.number, 2);
  });
});

describe('applyVersion: ATOMIC and BEST_EFFORT', () => {
  const bad = dataElement(3, { categoryCombo: { id: 'NoSuchCombo' } });
  const cases: [string, string, 'ATOMIC' | 'BEST_EFFORT'][] = [
    ['BEST_EFFORT', 'best effort', 'BEST_EFFORT'],
    ['ATOMIC', 'all or nothing', 'ATOMIC'],
    ['', 'all or nothing (DHIS2: any type but BEST_EFFORT)', 'ATOMIC'],
    ['PARTIAL', 'all or nothing (DHIS2: any type but BEST_EFFORT)', 'ATOMIC'],
  ];
  for (const [listed, how, recorded] of cases) {
    it(`type ${JSON.stringify(listed)} is imported ${how} and recorded ${recorded}`, async () => {
      const local = await memoryLocal();
      const good = await apply(
        local,
        { objects: { dataElements: [dataElement(1)] } },
        { type: listed },
      );
      assert.ok(good.ok);
      assert.equal(good.version.type, recorded);
      assert.equal(good.report.type, listed, 'the report shows the type as listed');
    });

    it(`type ${JSON.stringify(listed)} with one bad object: ${recorded === 'ATOMIC' ? 'IMPORT_FAILED, nothing imported' : 'WARNING, the good one imported'}`, async () => {
      const local = await memoryLocal();
      const result = await apply(
        local,
        { objects: { dataElements: [dataElement(1), bad] } },
        { type: listed },
      );
      const codes = result.report.errors.map((e) => e.errorCode);
      assert.deepEqual(codes, ['E5002']);
      assert.equal(result.report.errors[0]!.mainKlass, 'org.hisp.dhis.dataelement.DataElement');
      if (recorded === 'ATOMIC') {
        assert.equal(result.ok, false);
        assert.ok(!result.ok && result.kind === 'IMPORT_FAILED');
        assert.equal(result.report.status, 'FAILED');
        assert.equal(
          result.report.message,
          'Import of metadata objects was unsuccessful: 1 error(s) in Version_1; nothing was imported',
        );
        assert.deepEqual(await elements(local), []);
        assert.equal(await local.versions.byName('Version_1'), null);
      } else {
        assert.ok(result.ok);
        assert.equal(result.report.status, 'WARNING');
        assert.deepEqual(result.report.stats, {
          created: 1,
          updated: 0,
          deleted: 0,
          ignored: 1,
          total: 2,
        });
        assert.deepEqual(
          (await elements(local)).map((d) => d.id),
          [dataElement(1).id],
        );
        assert.ok(await local.versions.byName('Version_1'));
      }
    });
  }

  it('a code the local already uses for another object: E5003 (the integration tests’ clash)', async () => {
    const local = await memoryLocal();
    const mine = dataElement(7, { id: 'deLocal0001', name: 'Mine', shortName: 'Mine' });
    const r0 = await apply(local, { objects: { dataElements: [mine] } }, { type: 'BEST_EFFORT' });
    assert.ok(r0.ok);
    const bytes = snapshotBytes({
      objects: { dataElements: [dataElement(7), dataElement(8)] },
    });
    const result = await applyVersion(
      local.deps,
      version(bytes, { name: 'Version_2', id: 'verC0000002', type: 'BEST_EFFORT' }),
      { bytes, gzip: null },
      options({ current: r0.version }),
    );
    assert.ok(result.ok);
    assert.equal(result.report.status, 'WARNING');
    assert.ok(
      result.report.errors.some((e) => e.errorCode === 'E5003'),
      JSON.stringify(result.report.errors),
    );
    assert.deepEqual(
      (await elements(local)).map((d) => d.id).sort(),
      [dataElement(8).id, 'deLocal0001'].sort(),
    );
  });
});

describe('applyVersion: the checks before any import', () => {
  it('HASH_MISMATCH: bytes that are not the ones hashed are not imported or stored', async () => {
    const local = await memoryLocal();
    const commits = local.store.commits;
    const bytes = snapshotBytes({ objects: { dataElements: [dataElement(1)] } });
    const result = await applyVersion(
      local.deps,
      version(bytes, { hashCode: 'b'.repeat(32) }),
      { bytes, gzip: null },
      options(),
    );
    assert.ok(!result.ok);
    assert.equal(result.kind, 'HASH_MISMATCH');
    assert.equal(
      result.message,
      `Metadata snapshot is corrupted. Not saving it locally: MD5 of Version_1 is ${md5(bytes)}, the central says ${'b'.repeat(32)}`,
    );
    assert.deepEqual(result.report, {
      name: 'Version_1',
      type: 'ATOMIC',
      status: 'FAILED',
      errors: [],
      message: result.message,
    });
    assert.equal(local.store.commits, commits, 'no transaction was opened');
    assert.deepEqual(await local.versions.list(), []);
  });

  for (const [what, parent, current, diverged] of [
    ['another parent than the current version', 'f'.repeat(32), true, true],
    ['the current version as parent', 'same', true, false],
    ['no parent (a DHIS2 central)', null, true, false],
    ['a parent, on an empty local', 'f'.repeat(32), false, false],
  ] as const)
    it(`the chain: a version naming ${what} is ${diverged ? 'DIVERGED' : 'applied'}`, async () => {
      const local = await memoryLocal();
      const first = await apply(local, { objects: { dataElements: [dataElement(1)] } });
      assert.ok(first.ok);
      const bytes = snapshotBytes({ objects: { dataElements: [dataElement(2)] } });
      const result = await applyVersion(
        local.deps,
        version(bytes, {
          name: 'Version_2',
          id: 'verC0000002',
          parentHashCode: parent === 'same' ? first.version.hashCode : parent,
        }),
        { bytes, gzip: null },
        options({ current: current ? first.version : null }),
      );
      assert.equal(result.ok, !diverged);
      if (!result.ok) {
        assert.equal(result.kind, 'DIVERGED');
        assert.equal(
          result.message,
          `Version_2 on the central follows a version with hashCode ${'f'.repeat(32)}, but this instance is at Version_1 with hashCode ${first.version.hashCode}`,
        );
        assert.equal(await local.store.get('dataElements', dataElement(2).id), null);
      }
    });

  const system = (version: unknown) => ({ ...centralSystem('x'), version });
  const mismatch: [string, boolean, unknown, boolean][] = [
    ['another release, keyStopMetadataSync on', true, '2.40.0', true],
    ['another release, keyStopMetadataSync off', false, '2.40.0', false],
    ['the same release with spaces around', true, ' 2.41.0 ', false],
    ['an empty system.version', true, '', false],
    ['a system.version that is not text', true, 2.4, false],
    ['no system.version', true, undefined, false],
  ];
  for (const [what, stop, theirs, stops] of mismatch)
    it(`the DHIS2 release: ${what} ${stops ? 'stops: VERSION_MISMATCH' : 'imports'}`, async () => {
      const local = await memoryLocal();
      const body = Buffer.from(
        JSON.stringify({ system: system(theirs), dataElements: [dataElement(1)] }),
      );
      const result = await apply(local, body, {}, { stopOnVersionMismatch: stop });
      assert.equal(result.ok, !stops);
      if (!result.ok) {
        assert.equal(result.kind, 'VERSION_MISMATCH');
        assert.equal(
          result.message,
          "Metadata sync failed because your version of DHIS does not match the master version: this instance follows DHIS2 2.41.0 (its system.version), Version_1 was made by DHIS2 2.40.0; the central runs DHIS2 2.41.0 now. Set system.version in this instance's config file to the central's release, or switch keyStopMetadataSync off",
        );
        assert.deepEqual(await elements(local), []);
      }
    });

  it('a snapshot without `system` (DHIS2’s oldest) is not compared', async () => {
    const local = await memoryLocal();
    const result = await apply(
      local,
      { system: null, objects: { dataElements: [dataElement(1)] } },
      {},
      { stopOnVersionMismatch: true },
    );
    assert.ok(result.ok);
  });

  it('a mismatch names the central’s release now only when it differs from the snapshot’s', async () => {
    const local = await memoryLocal();
    const body = snapshotBytes({ system: centralSystem('2.40.0'), objects: {} });
    const same = await apply(
      local,
      body,
      {},
      { stopOnVersionMismatch: true, centralSystemVersion: '2.40.0' },
    );
    assert.ok(!same.ok);
    assert.match(same.message, /Version_1 was made by DHIS2 2\.40\.0\. Set system\.version/);
    const unknown = await apply(
      local,
      body,
      {},
      { stopOnVersionMismatch: true, centralSystemVersion: null },
    );
    assert.ok(!unknown.ok);
    assert.doesNotMatch(unknown.message, /the central runs/);
  });

  for (const [what, body, message] of [
    ['not JSON', '{"system":', /^The snapshot of Version_1 is not valid JSON: /],
    ['JSON null', 'null', /^The snapshot of Version_1 is not a JSON object$/],
    ['a JSON array', '[]', /^The snapshot of Version_1 is not a JSON object$/],
    ['a JSON string', '"x"', /^The snapshot of Version_1 is not a JSON object$/],
    [
      'a type key holding an object',
      '{"dataElements":{}}',
      /^The snapshot of Version_1 is not DHIS2 metadata: Property dataElements must be an array of objects$/,
    ],
  ] as const)
    it(`BAD_SNAPSHOT: ${what}`, async () => {
      const local = await memoryLocal();
      const result = await apply(local, Buffer.from(body));
      assert.ok(!result.ok);
      assert.equal(result.kind, 'BAD_SNAPSHOT');
      assert.match(result.message, message);
      assert.deepEqual(await local.versions.list(), []);
    });
});

describe('applyVersion: deletions and what is not stored', () => {
  it('applies carried deletions; one that would break a local reference is skipped: WARNING', async () => {
    const local = await memoryLocal();
    const combo = {
      id: 'ccUnit00001',
      name: 'Unit combo',
      dataDimensionType: 'DISAGGREGATION',
      categories: [{ id: 'GLevLNI9wkl' }],
    };
    const first = await apply(local, {
      objects: {
        categoryCombos: [combo],
        dataElements: [dataElement(1), dataElement(2, { categoryCombo: { id: combo.id } })],
      },
    });
    assert.ok(first.ok, JSON.stringify(first.report.errors));
    const bytes = snapshotBytes({
      objects: {},
      deletions: [
        { type: 'dataElements', uid: dataElement(1).id },
        { type: 'categoryCombos', uid: combo.id },
        { type: 'noSuchTypes', uid: 'whatever000' },
      ],
    });
    const result = await applyVersion(
      local.deps,
      version(bytes, { name: 'Version_2', id: 'verC0000002' }),
      { bytes, gzip: null },
      options({ current: first.version }),
    );
    assert.ok(result.ok);
    assert.equal(result.report.status, 'WARNING');
    assert.deepEqual(result.report.deletions, { applied: 1, skipped: 1 });
    assert.equal(result.report.errors.length, 1, JSON.stringify(result.report.errors));
    assert.equal(await local.store.get('dataElements', dataElement(1).id), null);
    assert.ok(await local.store.get('categoryCombos', combo.id), 'the referenced combo stays');
    assert.equal(result.version.deletions, 2, 'the carried deletions of known types');
  });

  for (const [key, code] of [
    ['oAuth2Clients', 'E4065'],
    ['fooBars', 'E4064'],
  ] as const)
    it(`a version carrying \`${key}\` imports the rest and reports them ignored (${code}): WARNING`, async () => {
      const local = await memoryLocal();
      const body = Buffer.from(
        JSON.stringify({
          system: centralSystem('2.41.0'),
          dataElements: [dataElement(1)],
          [key]: [{ id: 'Unstored001' }, { id: 'Unstored002' }],
        }),
      );
      const result = await apply(local, body);
      assert.ok(result.ok);
      assert.equal(result.report.status, 'WARNING');
      assert.deepEqual(
        result.report.errors.map((e) => e.errorCode),
        [code],
      );
      assert.equal(result.report.stats?.ignored, 2);
      assert.equal(result.report.stats?.created, 1);
      assert.equal(result.version.objects, 1);
    });
});

describe('applyVersion: the import and the record commit together', () => {
  it('a version that cannot be recorded rolls its import back', async () => {
    const local = await memoryLocal();
    // Version_1 is already recorded under another id (e.g. by a rebaseline).
    const bytes = snapshotBytes({ objects: { dataElements: [dataElement(1)] } });
    await local.versions.rebaseline({
      ...version(bytes, { id: 'verOther001' }),
      number: 1,
      type: 'ATOMIC',
      importDate: local.clock.now(),
      bytes: 0,
      gzipBytes: 0,
      objects: 0,
      deletions: 0,
      types: {},
    });
    const rollbacks = local.store.rollbacks;
    await assert.rejects(apply(local, bytes), /duplicate key value violates unique constraint/);
    assert.equal(local.store.rollbacks, rollbacks + 1);
    assert.deepEqual(await elements(local), [], 'nothing of the import is left');
    assert.deepEqual(
      (await local.versions.list()).map((v) => v.id),
      ['verOther001'],
    );
  });
});
