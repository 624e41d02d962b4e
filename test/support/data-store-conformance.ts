/**
 * The DataStore port's aggregate part (issue 7, src/domain/data/data-store.ts): data values,
 * registrations and anonymous events, run on PGlite and PostgreSQL by store-conformance.test.ts
 * and on the fake by test/unit/store-conformance-memory.test.ts. One counter numbers every
 * written row in commit order; the change windows the push reads page by that number. Each test
 * uses its own ids; the tests share one store.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { DataStore } from '../../src/domain/data/data-store.ts';
import { wireValue, type DataValue } from '../../src/domain/data/data-values.ts';
import type { AnonymousEvent } from '../../src/domain/data/events.ts';
import type { Registration } from '../../src/domain/data/registrations.ts';
import type { MetadataStore } from '../../src/domain/ports.ts';
import { newUid } from '../../src/security/random.ts';
import type { Get } from './store-conformance.ts';

export interface DataStoreUnderTest {
  data: DataStore;
  /** The metadata the data store resolves against, in the same database. */
  metadata: MetadataStore;
}

export const T = '2024-03-01T10:00:00.000Z';
export const dv = (over: Partial<DataValue> & { dataElement: string }): DataValue => ({
  period: '202401',
  orgUnit: 'ConfDvOrgU1',
  categoryOptionCombo: 'HllvX50cXC0',
  attributeOptionCombo: 'HllvX50cXC0',
  value: '1',
  storedBy: 'admin',
  created: T,
  lastUpdated: T,
  comment: null,
  followup: false,
  deleted: false,
  ...over,
});
const reg = (over: Partial<Registration> & { dataSet: string }): Registration => ({
  period: '202401',
  organisationUnit: 'ConfDvOrgU1',
  attributeOptionCombo: 'HllvX50cXC0',
  date: T,
  storedBy: 'admin',
  lastUpdatedBy: 'admin',
  lastUpdated: T,
  completed: true,
  deleted: false,
  ...over,
});
const ev = (over: Partial<AnonymousEvent> & { event: string }): AnonymousEvent => ({
  program: 'ConfEvProg1',
  programStage: 'ConfEvStg01',
  orgUnit: 'ConfDvOrgU1',
  attributeOptionCombo: 'HllvX50cXC0',
  eventDate: '2024-02-01T00:00:00.000Z',
  status: 'COMPLETED',
  storedBy: 'admin',
  dataValues: [{ dataElement: 'ConfEvDe001', value: '5' }] as AnonymousEvent['dataValues'],
  deleted: false,
  created: T,
  lastUpdated: T,
  ...over,
});
/** A plan that writes the incoming rows as they are. */
export const all =
  <V>(rows: V[]) =>
  () => ({
    writes: rows,
    count: { imported: 0, updated: 0, ignored: 0, deleted: 0 },
    conflicts: [],
  });

export function registerDataStoreTests(get: Get<DataStoreUnderTest>) {
  const store = () => get().data;

  it('writes data values, hands the stored ones to the plan, and reads them back', async () => {
    const de = newUid();
    const first = [dv({ dataElement: de }), dv({ dataElement: de, period: '202402', value: '2' })];
    const before = await store().committedSeq();
    await store().writeDataValues(first, all(first), false);
    assert.equal(await store().committedSeq(), before + 2);
    let seen: ReadonlyMap<string, DataValue> = new Map();
    const changed = dv({
      dataElement: de,
      value: '10',
      comment: 'c',
      lastUpdated: '2024-04-01T00:00:00.000Z',
    });
    await store().writeDataValues(
      [changed],
      (stored) => {
        seen = stored;
        return all([changed])();
      },
      false,
    );
    assert.deepEqual([...seen.values()], [first[0]]);
    assert.equal(await store().committedSeq(), before + 3);
    assert.deepEqual(await store().queryDataValues({ dataElements: [de] }), [changed, first[1]]);
    assert.deepEqual(await store().queryDataValues({ dataElements: [de], periods: ['202402'] }), [
      first[1],
    ]);
    assert.deepEqual(
      await store().queryDataValues({ dataElements: [de], lastUpdated: new Date('2024-03-15') }),
      [changed],
    );
    assert.deepEqual(await store().queryDataValues({ dataElements: [de], limit: 1 }), [changed]);
    assert.deepEqual(await store().queryDataValues({ dataElements: [] }), []);
  });

  it('a dry run or a plan that throws writes nothing and takes no number', async () => {
    const de = newUid();
    const rows = [dv({ dataElement: de })];
    const before = await store().committedSeq();
    const planned = await store().writeDataValues(rows, all(rows), true);
    assert.equal(planned.writes.length, 1);
    await assert.rejects(
      store().writeDataValues(
        rows,
        () => {
          throw new Error('conf: plan failed');
        },
        false,
      ),
      /conf: plan failed/,
    );
    assert.equal(await store().committedSeq(), before);
    assert.deepEqual(await store().queryDataValues({ dataElements: [de] }), []);
  });

  it('deleted values are kept, hidden unless asked for', async () => {
    const de = newUid();
    const rows = [dv({ dataElement: de, deleted: true, value: null })];
    await store().writeDataValues(rows, all(rows), false);
    assert.deepEqual(await store().queryDataValues({ dataElements: [de] }), []);
    assert.deepEqual(
      await store().queryDataValues({ dataElements: [de], includeDeleted: true }),
      rows,
    );
  });

  it('change windows page by change number, up to the cut, skipping old rows if asked', async () => {
    const de = newUid();
    const base = await store().committedSeq();
    const rows = ['202401', '202402', '202403'].map((period, i) =>
      dv({ dataElement: de, period, lastUpdated: `2024-0${i + 1}-15T00:00:00.000Z` }),
    );
    for (const r of rows) await store().writeDataValues([r], all([r]), false);
    const upTo = base + 3;
    const mine = (p: { rows: DataValue[] }) => p.rows.filter((r) => r.dataElement === de);
    const page1 = await store().changedDataValues({
      after: base,
      upTo,
      limit: 2,
      skipBefore: null,
    });
    assert.deepEqual(mine(page1), rows.slice(0, 2));
    assert.equal(page1.lastSeq, base + 2);
    const page2 = await store().changedDataValues({
      after: page1.lastSeq,
      upTo,
      limit: 2,
      skipBefore: null,
    });
    assert.deepEqual(mine(page2), rows.slice(2));
    assert.equal(page2.lastSeq, base + 3);
    const empty = await store().changedDataValues({
      after: upTo,
      upTo,
      limit: 2,
      skipBefore: null,
    });
    assert.deepEqual(empty, { rows: [], lastSeq: upTo });
    const recent = await store().changedDataValues({
      after: base,
      upTo,
      limit: 10,
      skipBefore: new Date('2024-02-01T00:00:00.000Z'),
    });
    assert.deepEqual(mine(recent), rows.slice(1));
  });

  it('writes any storable text as sent and pages it out as the wire JSON, byte for byte', async () => {
    // Quotes, backslashes, braces, commas, control characters, "null", non-ASCII and an astral
    // character: the set-based writes send arrays as literals, the push's page is JSON built
    // by the store (issue 18 §2–§3); both must keep every character.
    const de = newUid();
    // The first six need no escape in JSON (so the database store sends them as array literals
    // built from JSON), the others do (so it falls back to the driver's encoding).
    const texts = [
      '{x,y}',
      'null',
      "NULL it's",
      ' ',
      'é ü 中文 😀 \u2028',
      '</script>',
      'a"b',
      'c\\d',
      'tab\tnew\nline\r',
      '\u0001\u001f\u007f',
      '',
      '\\"\\',
    ];
    const base = await store().committedSeq();
    const rows = texts.map((text, i) =>
      dv({
        dataElement: de,
        orgUnit: `ConfDvOrg${String(i).padStart(2, '0')}`,
        value: i % 3 === 0 ? null : text,
        comment: i % 2 === 0 ? text : null,
        storedBy: i % 4 === 1 ? null : text,
        followup: i % 2 === 1,
        deleted: i % 5 === 4,
      }),
    );
    for (const part of [rows.slice(0, 6), rows.slice(6)])
      await store().writeDataValues(part, all(part), false);
    const upTo = await store().committedSeq();
    const w = { after: base, upTo, limit: 100, skipBefore: null };
    const page = await store().changedDataValues(w);
    assert.deepEqual(
      page.rows.filter((r) => r.dataElement === de),
      rows,
    );
    const wire = await store().changedDataValuesJson(w);
    assert.equal(wire.json, JSON.stringify(page.rows.map(wireValue)).slice(1, -1));
    assert.deepEqual([wire.count, wire.lastSeq], [page.rows.length, page.lastSeq]);
    const empty = await store().changedDataValuesJson({ ...w, after: upTo });
    assert.deepEqual(empty, { json: '', count: 0, lastSeq: upTo });
  });

  it('registrations: upsert by key, query without deleted ones, change windows', async () => {
    const ds = newUid();
    const base = await store().committedSeq();
    const rows = [reg({ dataSet: ds }), reg({ dataSet: ds, period: '202402', deleted: true })];
    await store().writeRegistrations(
      rows,
      (stored) => {
        assert.equal(stored.size, 0);
        return { writes: rows };
      },
      false,
    );
    const again = reg({ dataSet: ds, completed: false, lastUpdated: '2024-05-01T00:00:00.000Z' });
    await store().writeRegistrations(
      [again],
      (stored) => {
        assert.deepEqual([...stored.values()], [rows[0]]);
        return { writes: [again] };
      },
      false,
    );
    assert.deepEqual(await store().queryRegistrations({ dataSets: [ds] }), [again]);
    assert.deepEqual(await store().queryRegistrations({ dataSets: [ds], periods: ['202402'] }), []);
    const page = await store().changedRegistrations({
      after: base,
      upTo: base + 3,
      limit: 10,
      skipBefore: null,
    });
    assert.deepEqual(
      page.rows.filter((r) => r.dataSet === ds),
      [rows[1], again],
    );
    assert.equal(page.lastSeq, base + 3);
  });

  it('events: upsert by uid keeping created, query by program and org unit, change windows', async () => {
    const [program, a, b] = [newUid(), newUid(), newUid()];
    const base = await store().committedSeq();
    const rows = [
      ev({ event: b, program, eventDate: '2024-02-02T00:00:00.000Z' }),
      ev({ event: a, program, orgUnit: 'ConfDvOrgU2' }),
    ];
    await store().writeEvents(rows, () => ({ writes: rows }), false);
    const changed = ev({
      event: a,
      program,
      orgUnit: 'ConfDvOrgU2',
      status: 'ACTIVE',
      created: '2030-01-01T00:00:00.000Z',
      lastUpdated: '2024-06-01T00:00:00.000Z',
    });
    await store().writeEvents(
      [changed],
      (stored) => {
        assert.deepEqual([...stored.keys()], [a]);
        return { writes: [changed] };
      },
      false,
    );
    const kept = { ...changed, created: T };
    assert.deepEqual(await store().queryEvents({ program }), [kept, rows[0]]);
    assert.deepEqual(await store().queryEvents({ program, orgUnit: 'ConfDvOrgU2' }), [kept]);
    assert.deepEqual(await store().queryEvents({ program, limit: 1 }), [kept]);
    await store().markEventsSynchronized([a, b], new Date());
    const page = await store().changedEvents({
      after: base,
      upTo: base + 3,
      limit: 10,
      skipBefore: null,
    });
    assert.deepEqual(
      page.rows.filter((e) => e.program === program).map((e) => e.event),
      [b, kept.event],
    );
  });
}
