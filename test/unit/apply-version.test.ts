/**
 * Applying one version pulled from the central (`applyVersion`, contract §9.1, issue 6 §2 d)
 * over an in-memory local: a good version and what is recorded of it, ATOMIC vs BEST_EFFORT.
 * The checks before any import, deletions and rollback: apply-version-checks.test.ts.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { applyVersion } from '../../src/domain/sync/apply-version.ts';
import type { Snapshot } from '../../src/domain/sync/central-client.ts';
import type { MetadataVersion } from '../../src/domain/versioning/version.ts';
import {
  apply,
  CREATED,
  elements,
  options,
  read,
  version,
} from '../support/fakes/apply-version-harness.ts';
import { md5, snapshotBytes } from '../support/fakes/fake-central-client.ts';
import { dataElement } from '../support/fakes/sync-run-harness.ts';
import { memoryLocal } from '../support/fakes/sync-import-fakes.ts';

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
  it('an ATOMIC version with 250 bad objects says 250 errors, and its report keeps the first 200', async () => {
    const local = await memoryLocal();
    const bads = Array.from({ length: 250 }, (_, i) =>
      dataElement(100 + i, { categoryCombo: { id: 'NoSuchCombo' } }),
    );
    const result = await apply(local, { objects: { dataElements: bads } }, { type: 'ATOMIC' });
    assert.ok(!result.ok && result.kind === 'IMPORT_FAILED', 'the version fails');
    assert.equal(result.report.errors.length, 200, 'the report keeps 200 errors');
    assert.equal(
      result.report.message,
      'Import of metadata objects was unsuccessful: 250 error(s) in Version_1; nothing was imported',
    );
  });

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
