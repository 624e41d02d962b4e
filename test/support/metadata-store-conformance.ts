/**
 * The MetadataStore port (issue 4, src/domain/ports.ts), run on PGlite and PostgreSQL by
 * test/integration/store-conformance.test.ts and on the fake by
 * test/unit/store-conformance-memory.test.ts: serialised, all-or-nothing writers; one change
 * number per write and per deletion; uniqueness of codes and names; references. The writer's
 * look-ups, the users/userRoles projection and recorded versions are in
 * ./metadata-writer-conformance.ts. Tests share one store: each uses its own ids and types.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { PlannedDelete, PlannedWrite } from '../../src/domain/metadata/plan-import.ts';
import { codeKey, idKey } from '../../src/domain/metadata/prepare-entries.ts';
import type { MetadataStore, UserStore } from '../../src/domain/ports.ts';
import { newUid } from '../../src/security/random.ts';
import { del, meta, noKeys, T, type, write } from './metadata-rows.ts';
import type { Get } from './store-conformance.ts';

export interface MetadataStoreUnderTest {
  metadata: MetadataStore;
  /** The user store over the same auth tables the metadata store projects users into. */
  users: UserStore;
  /** The version recorded under this name (by `MetadataWriter.recordVersion`), or null. */
  recordedVersion(name: string): Promise<{ name: string; number: number; hashCode: string } | null>;
}

export function registerMetadataStoreTests(get: Get<MetadataStoreUnderTest>) {
  const store = () => get().metadata;
  const apply = (writes: PlannedWrite[], deletes: PlannedDelete[] = [], m = meta) =>
    store().write((w) => w.apply({ writes, deletes }, m));

  it('get, list and listSince read what was written, ordered by name then id', async () => {
    const [a, b, c] = [newUid(), newUid(), newUid()];
    await apply([
      write('indicatorTypes', a, { name: 'conf-b' }),
      write('indicatorTypes', b, { name: 'conf-a' }),
      write('indicatorTypes', c, { name: 'conf-c', lastUpdated: '2024-06-01T00:00:00.000Z' }),
    ]);
    assert.deepEqual(await store().get('indicatorTypes', a), { id: a, name: 'conf-b' });
    assert.equal(await store().get('indicatorTypes', 'noSuchObj01'), null);
    assert.equal(await store().get('dataElements', a), null, 'ids are per type');
    const names = (rows: Record<string, unknown>[]) => rows.map((r) => r.name);
    assert.deepEqual(names(await store().list('indicatorTypes')), ['conf-a', 'conf-b', 'conf-c']);
    assert.deepEqual(
      names(await store().listSince('indicatorTypes', new Date('2024-05-15T00:00:00Z'))),
      ['conf-c'],
    );
    assert.deepEqual(names(await store().listSince('indicatorTypes', new Date(T))), [
      'conf-a',
      'conf-b',
      'conf-c',
    ]);
    assert.deepEqual(names(await store().listSince('indicatorTypes', null, [a, c])), [
      'conf-b',
      'conf-c',
    ]);
    assert.deepEqual(await store().listSince('indicatorTypes', null, []), []);
    assert.equal((await store().countByType()).get('indicatorTypes'), 3);
  });

  it('numbers each write and each deletion with the next change number', async () => {
    const before = await store().changeSeq();
    const [a, b] = [newUid(), newUid()];
    await apply([write('legendSets', a), write('legendSets', b)]);
    assert.equal(await store().changeSeq(), before + 2);
    await apply(
      [{ ...write('legendSets', a, { name: 'conf renamed' }), op: 'update' }],
      [del('legendSets', b)],
    );
    assert.equal(await store().changeSeq(), before + 4);
    assert.equal((await store().get('legendSets', a))?.name, 'conf renamed');
    assert.equal(await store().get('legendSets', b), null);
    await store().write(async () => 'nothing written');
    assert.equal(
      await store().changeSeq(),
      before + 4,
      'a write that changes nothing takes no number',
    );
  });

  it('rolls back every change of a write that throws', async () => {
    const before = await store().changeSeq();
    const id = newUid();
    await assert.rejects(
      store().write(async (w) => {
        await w.apply({ writes: [write('optionGroups', id)], deletes: [] }, meta);
        throw new Error('conf: abort');
      }),
      /conf: abort/,
    );
    assert.equal(await store().get('optionGroups', id), null);
    assert.equal(await store().changeSeq(), before);
  });

  it('refuses a code taken within its type and scope, and writes nothing', async () => {
    const [a, b, c, d] = [newUid(), newUid(), newUid(), newUid()];
    const code = `CONF_${a}`;
    await apply([write('categoryOptions', a, { code })]);
    const before = await store().changeSeq();
    await assert.rejects(
      apply([write('categoryOptions', c), write('categoryOptions', b, { code })]),
    );
    assert.equal(await store().get('categoryOptions', c), null);
    assert.equal(await store().changeSeq(), before);
    // The same code in another type, or in another scope of a scoped type, is no clash.
    await apply([write('categories', b, { code }), write('options', c, { code, scope: 'SetA' })]);
    await apply([write('options', d, { code, scope: 'SetB' })]);
    const found = await store().write((w) =>
      w.lookups(
        {
          ...noKeys(),
          codes: [
            { type: 'options', scope: 'SetA', code },
            { type: 'options', scope: 'SetC', code },
          ],
        },
        { referrers: false },
      ),
    );
    assert.deepEqual([...found.byCode.keys()], [codeKey('options', 'SetA', code)]);
    assert.equal(found.byCode.get(codeKey('options', 'SetA', code))?.id, c);
    await assert.rejects(apply([write('options', newUid(), { code, scope: 'SetA' })]));
  });

  it('refuses a name taken within a type whose names are unique', async () => {
    assert.ok(type('dataElements').uniqueName, 'dataElements names are unique');
    const name = `conf unique ${newUid()}`;
    await apply([write('dataElements', newUid(), { name })]);
    await assert.rejects(apply([write('dataElements', newUid(), { name })]));
    assert.equal((await store().list('dataElements')).filter((o) => o.name === name).length, 1);
    // Names of a type without the rule may repeat.
    assert.equal(type('dataElementGroups').uniqueName, false);
    await apply([
      write('dataElementGroups', newUid(), { name }),
      write('dataElementGroups', newUid(), { name }),
    ]);
  });

  it('keeps references in step: rebuilt on update, gone with a deleted source', async () => {
    const [target, other, src1, src2] = [newUid(), newUid(), newUid(), newUid()];
    await apply([
      write('categoryOptionCombos', target),
      write('categoryOptionCombos', other),
      write('categoryCombos', src1, { refs: [target] }),
      write('dataSets', src2, { refs: [target, other] }),
    ]);
    assert.deepEqual(await store().referencing(target), [
      { type: 'categoryCombos', id: src1 },
      { type: 'dataSets', id: src2 },
    ]);
    await apply([{ ...write('dataSets', src2, { refs: [other] }), op: 'update' }]);
    assert.deepEqual(await store().referencing(target), [{ type: 'categoryCombos', id: src1 }]);
    assert.deepEqual(await store().referencing(other), [{ type: 'dataSets', id: src2 }]);
    await apply([], [del('categoryCombos', src1)]);
    assert.deepEqual(await store().referencing(target), []);
    assert.deepEqual(await store().referencing('noSuchObj02'), []);
  });

  it('an update keeps the creation columns; later writes wait for an open writer', async () => {
    const id = newUid();
    await apply([write('optionSets', id)]);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = store().write(async (w) => {
      await gate;
      await w.apply(
        {
          writes: [
            {
              ...write('optionSets', id, { name: 'conf first' }),
              op: 'update',
              created: '2030-01-01T00:00:00.000Z',
              createdBy: 'someoneElse',
            },
          ],
          deletes: [],
        },
        meta,
      );
    });
    const second = store().write(async (w) => {
      const l = await w.lookups(
        { ...noKeys(), ids: new Set([idKey('optionSets', id)]) },
        {
          referrers: false,
        },
      );
      return l.byId.get(idKey('optionSets', id))?.contentHash;
    });
    release();
    await first;
    assert.equal(await second, `hash-${id}`);
    const l = await store().write((w) =>
      w.lookups({ ...noKeys(), ids: new Set([idKey('optionSets', id)]) }, { referrers: false }),
    );
    const stored = l.byId.get(idKey('optionSets', id));
    assert.equal(stored?.created, T);
    assert.equal(stored?.createdBy, 'M5zQapPyTZI');
    assert.equal((await store().get('optionSets', id))?.name, 'conf first');
  });
}
