/**
 * `applyVersion` (contract §9.1, issue 6 §2 d) over an in-memory local: the MD5 and chain
 * checks, the DHIS2 release check (keyStopMetadataSync), bad snapshots, deletions, types
 * metasync does not store, and that the import and the version record commit or roll back
 * together.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyVersion } from '../../src/domain/sync/apply-version.ts';
import { apply, elements, options, version } from '../support/fakes/apply-version-harness.ts';
import { centralSystem, md5, snapshotBytes } from '../support/fakes/fake-central-client.ts';
import { dataElement } from '../support/fakes/sync-run-harness.ts';
import { memoryLocal } from '../support/fakes/sync-import-fakes.ts';

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
