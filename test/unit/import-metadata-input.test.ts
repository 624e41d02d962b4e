/**
 * Input the metadata import refuses or skips, over the in-memory stores (issue 4 §7): wrong JSON
 * types, duplicate and invalid ids, values past DHIS2's lengths, unknown type keys and the
 * non-metadata keys of DHIS2 exports. No server, no database; the HTTP side of bad input (4xx
 * WebMessages, size limits, gzip) stays in test/integration/metadata-bad-input.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImportReport } from '../../src/domain/metadata/import-report.ts';
import { DEFAULTS } from '../../src/domain/metadata/types.ts';
import { createImportWorld } from '../support/fakes/memory-import.ts';
import { generateMetadata, objectCount, payload, uidSource } from '../support/generate-metadata.ts';

const errorReports = (r: ImportReport) =>
  r.typeReports.flatMap((t) => t.objectReports.flatMap((o) => o.errorReports));
const errorCodes = (r: ImportReport) => [...new Set(errorReports(r).map((e) => e.errorCode))];
const newId = uidSource(4343);

/** The objects of a type whose name starts with the generated set's prefix. */
const prefixed = async (
  world: Awaited<ReturnType<typeof createImportWorld>>,
  type: string,
  prefix: string,
) => (await world.store.list(type)).filter((o) => String(o.name).startsWith(`${prefix} `));

describe('metadata import input checks over the in-memory stores', () => {
  it('reports wrong JSON types (name as a number) and non-objects as E4061, writing nothing', async () => {
    const w = await createImportWorld();
    const g = generateMetadata(14);
    const seq = await w.store.changeSeq();
    const r = await w.run({ dataElements: [{ ...g.dataElements[0], name: 42 }] });
    assert.equal(r.status, 'ERROR');
    assert.deepEqual(errorCodes(r), ['E4061']);
    assert.match(errorReports(r)[0]!.message, /name/);
    const notObject = await w.run({ dataElements: [g.dataElements[1], 'x', 7, null] });
    assert.equal(notObject.status, 'ERROR');
    assert.equal(errorReports(notObject).filter((e) => e.errorCode === 'E4061').length, 3);
    assert.equal(await w.store.changeSeq(), seq);
  });

  it('rejects duplicate ids (E5004) and an invalid uid (E4014), writing nothing', async () => {
    const w = await createImportWorld();
    const seq = await w.store.changeSeq();
    const g = generateMetadata(15, { optionSets: 0 });
    const de = { ...g.dataElements[0], categoryCombo: { id: DEFAULTS.categoryCombo } };
    const dup = await w.run({ dataElements: [de, { ...de, name: 'other', shortName: 'other' }] });
    assert.equal(dup.status, 'ERROR');
    assert.deepEqual(errorCodes(dup), ['E5004']);
    const bad = await w.run({ dataElements: [{ ...de, id: '123' }] });
    assert.equal(bad.status, 'ERROR');
    const [e] = errorReports(bad);
    assert.equal(e!.errorCode, 'E4014');
    assert.equal(e!.errorProperty, 'id');
    assert.equal(e!.value, '123');
    assert.equal(await w.store.changeSeq(), seq);
    assert.equal((await w.run({ dataElements: [de] })).status, 'OK');
  });

  it("refuses names, codes and usernames past DHIS2's lengths with E4001", async () => {
    const w = await createImportWorld();
    const g = generateMetadata(16, { optionSets: 0 });
    const de = (extra: Record<string, unknown>) => ({
      ...g.dataElements[0],
      categoryCombo: { id: DEFAULTS.categoryCombo },
      ...extra,
    });
    const long = 'N'.repeat(3000);
    for (const [body, property, length] of [
      [{ dataElements: [de({ name: long })] }, 'name', 3000],
      [{ dataElements: [de({ code: 'C'.repeat(51) })] }, 'code', 51],
      [{ categoryOptions: [{ id: newId(), name: `é${long}`, shortName: 'long' }] }, 'name', 3001],
      [
        { users: [{ id: newId(), username: 'u'.repeat(3000), firstName: 'A', surname: 'B' }] },
        'username',
        3000,
      ],
    ] as const) {
      const r = await w.run(body);
      assert.equal(r.status, 'ERROR', property);
      const [e] = errorReports(r).filter((x) => x.errorCode === 'E4001');
      assert.equal(e?.errorProperty, property);
      assert.match(e.message, new RegExp(`is \\d+, but given length was ${length}$`));
    }
    const longest = await w.run({
      dataElements: [de({ name: 'n'.repeat(230), code: 'c'.repeat(50) })],
    });
    assert.equal(longest.status, 'OK');
  });

  it('an unknown type key is a WARNING (E4064); the known types are still imported', async () => {
    const w = await createImportWorld();
    const g = generateMetadata(10);
    const r = await w.run({ ...payload(g), dataElementz: [{ id: newId(), name: 'typo' }] });
    assert.equal(r.status, 'WARNING');
    assert.deepEqual(errorCodes(r), ['E4064']);
    assert.equal(r.stats.created, objectCount(g));
    assert.equal(r.stats.ignored, 1);
    assert.equal((await prefixed(w, 'dataElements', g.prefix)).length, g.dataElements.length);
  });

  it('ignores non-metadata top-level keys (system, date, package) silently', async () => {
    const w = await createImportWorld();
    const g = generateMetadata(11);
    const r = await w.run({
      system: { id: 'eb4f4a3c-7c1a', rev: 'abc', version: '2.41.0', date: '2024-01-01' },
      date: ['2', '0', '1', '6'],
      package: { code: 'X', name: 'pkg', version: '1.0.0' },
      ...payload(g),
    });
    assert.equal(r.status, 'OK');
    assert.equal(r.stats.created, objectCount(g));
    assert.equal(errorReports(r).length, 0);
    assert.equal(r.typeReports.length, Object.keys(payload(g)).length);
  });
});
