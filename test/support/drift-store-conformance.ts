/**
 * The DriftStore conformance suite (issue 23 §2): run on PGlite and PostgreSQL
 * (test/integration/drift-store-conformance.test.ts) and on the in-memory fake
 * (test/unit/drift-store-conformance.test.ts). The baseline is written as a version's import
 * writes it, through the metadata writer in the same transaction as the objects.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { DriftStore } from '../../src/domain/drift/drift-store.ts';
import type { MetadataStore } from '../../src/domain/ports.ts';
import { del, meta, write } from './metadata-rows.ts';

export interface DriftSubject {
  metadata: MetadataStore;
  drift: DriftStore;
}

const EXEMPT = { type: 'dataElements', id: 'deX00000001' };

/** Objects and their baseline as a version's import leaves them: the same hashes. */
async function applied(s: DriftSubject, version: string, ids: string[]) {
  await s.metadata.write(async (w) => {
    await w.apply(
      {
        writes: ids.map((id) => write('dataElements', id, { contentHash: `h-${id}` })),
        deletes: [],
      },
      meta,
    );
    await w.setBaseline(
      version,
      ids.map((id) => ({ type: 'dataElements', id, hash: `h-${id}` })),
    );
  });
}

const edit = (s: DriftSubject, id: string, hash: string, name = `conf ${id}`) =>
  s.metadata.write((w) =>
    w.apply(
      {
        writes: [write('dataElements', id, { op: 'update', contentHash: hash, name })],
        deletes: [],
      },
      meta,
    ),
  );

const sorted = (rows: { type: string; id: string }[]) => rows.map((r) => `${r.type}/${r.id}`);

export function registerDriftStoreTests(fresh: () => Promise<DriftSubject>) {
  it('objects as their versions gave them are no drift; an edit, a local object and a deletion are, each of its kind', async () => {
    const s = await fresh();
    await applied(s, 'Version_1', ['deA00000001', 'deB00000001', 'deC00000001']);
    assert.deepEqual(await s.drift.counts([]), []);

    await edit(s, 'deA00000001', 'h-edited', 'edited here');
    await s.metadata.write((w) =>
      w.apply(
        { writes: [write('dataElements', 'deL00000001', { contentHash: 'h-local' })], deletes: [] },
        meta,
      ),
    );
    await s.metadata.write((w) =>
      w.apply({ writes: [], deletes: [del('dataElements', 'deC00000001')] }, meta),
    );

    const counts = await s.drift.counts([]);
    assert.deepEqual(counts.map((c) => [c.type, c.kind, c.count]).sort(), [
      ['dataElements', 'changed', 1],
      ['dataElements', 'created', 1],
      ['dataElements', 'deleted', 1],
    ]);
    const changed = await s.drift.list('changed', { limit: 10, exempt: [] });
    assert.deepEqual(changed, [
      {
        type: 'dataElements',
        id: 'deA00000001',
        name: 'edited here',
        code: null,
        version: 'Version_1',
      },
    ]);
    const created = await s.drift.list('created', { limit: 10, exempt: [] });
    assert.deepEqual(sorted(created), ['dataElements/deL00000001']);
    assert.equal(created[0]!.version, null);
    const deleted = await s.drift.list('deleted', { limit: 10, exempt: [] });
    assert.deepEqual(deleted, [
      { type: 'dataElements', id: 'deC00000001', name: null, code: null, version: 'Version_1' },
    ]);
  });

  it('exempt objects never count; lists are ordered by type then id, cut at the limit, narrowed by type', async () => {
    const s = await fresh();
    await s.metadata.write((w) =>
      w.apply(
        {
          writes: [
            write('dataElements', EXEMPT.id, { contentHash: 'x' }),
            write('dataElements', 'deZ00000001', { contentHash: 'z' }),
            write('dataElements', 'deY00000001', { contentHash: 'y' }),
            write('categoryOptions', 'coA00000001', { contentHash: 'c' }),
          ],
          deletes: [],
        },
        meta,
      ),
    );
    const all = await s.drift.list('created', { limit: 10, exempt: [EXEMPT] });
    assert.deepEqual(sorted(all), [
      'categoryOptions/coA00000001',
      'dataElements/deY00000001',
      'dataElements/deZ00000001',
    ]);
    assert.equal((await s.drift.list('created', { limit: 2, exempt: [EXEMPT] })).length, 2);
    assert.deepEqual(
      sorted(await s.drift.list('created', { limit: 10, type: 'dataElements', exempt: [EXEMPT] })),
      ['dataElements/deY00000001', 'dataElements/deZ00000001'],
    );
    const counts = await s.drift.counts([EXEMPT]);
    assert.equal(
      counts.find((c) => c.type === 'users'),
      undefined,
    );
    assert.ok(counts.find((c) => c.type === 'users' || c.count > 0));
  });

  it('a later version replaces an object’s hash and version; its deletion drops it; a rolled-back write changes nothing', async () => {
    const s = await fresh();
    await applied(s, 'Version_1', ['deA00000001', 'deB00000001']);
    await s.metadata.write(async (w) => {
      await w.apply(
        {
          writes: [write('dataElements', 'deA00000001', { op: 'update', contentHash: 'h2' })],
          deletes: [del('dataElements', 'deB00000001')],
        },
        meta,
      );
      await w.setBaseline('Version_2', [{ type: 'dataElements', id: 'deA00000001', hash: 'h2' }]);
      await w.dropBaseline([{ type: 'dataElements', id: 'deB00000001' }]);
    });
    const base = await s.drift.baselineOf([
      { type: 'dataElements', id: 'deA00000001' },
      { type: 'dataElements', id: 'deB00000001' },
    ]);
    assert.deepEqual([...base.values()], [{ hash: 'h2', version: 'Version_2' }]);
    assert.deepEqual(await s.drift.counts([]), []);

    await assert.rejects(
      s.metadata.write(async (w) => {
        await w.setBaseline('Version_3', [{ type: 'dataElements', id: 'deA00000001', hash: 'h3' }]);
        throw new Error('rolled back');
      }),
      /rolled back/,
    );
    const kept = await s.drift.baselineOf([{ type: 'dataElements', id: 'deA00000001' }]);
    assert.deepEqual([...kept.values()], [{ hash: 'h2', version: 'Version_2' }]);
  });

  it('a rebase makes the live state the base, keeps its content, and clears the last summary', async () => {
    const s = await fresh();
    await applied(s, 'Version_1', ['deA00000001']);
    await edit(s, 'deA00000001', 'h-edited', 'edited here');
    await s.drift.saveSummary({
      changed: 1,
      created: 0,
      deleted: 0,
      checkedAt: '2026-12-01T10:00:00.000Z',
    });
    assert.deepEqual(await s.drift.summary(), {
      changed: 1,
      created: 0,
      deleted: 0,
      checkedAt: '2026-12-01T10:00:00.000Z',
    });
    const at = new Date('2026-12-02T10:00:00.000Z');
    await s.drift.rebase('Version_4', at);
    assert.deepEqual(await s.drift.counts([]), []);
    assert.deepEqual(await s.drift.base(), { kind: 'REBASELINE', version: 'Version_4', at });
    assert.equal(await s.drift.summary(), null);
    const payloads = await s.drift.basePayloads([{ type: 'dataElements', id: 'deA00000001' }]);
    assert.equal([...payloads.values()][0]?.name, 'edited here');
    // A fold marks nothing once a base is laid.
    await s.drift.markFolded(new Date('2026-12-03T10:00:00.000Z'));
    assert.equal((await s.drift.base())?.kind, 'REBASELINE');
  });
}
