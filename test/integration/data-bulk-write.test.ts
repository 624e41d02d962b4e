/**
 * The database data store's set-based paths (issue 18 §2–§3), on both backends: the look-up that
 * probes only the values whose data element and period hold something, the plain insert of new
 * keys beside the update of stored ones, and the push page's JSON built by the database, with
 * its fallback for timestamps that toISOString writes with a sign.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { DataStore } from '../../src/domain/data/data-store.ts';
import { planDataValues, wireValue, type DataValue } from '../../src/domain/data/data-values.ts';
import type { OpenDatabase } from '../../src/store/db.ts';
import { createKyselyDataStore } from '../../src/store/kysely-data-store.ts';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { dv } from '../support/data-store-conformance.ts';

const T2 = '2024-04-01T10:00:00.000Z';

for (const backend of await backends()) {
  describe(`set-based data value writes on ${backend}`, () => {
    let database: TestDatabase;
    let open: OpenDatabase;
    let store: DataStore;
    before(async () => {
      database = await createTestDatabase(backend);
      open = await database.open();
      store = createKyselyDataStore(open.db);
    });
    after(async () => {
      await open.close();
      await database.dispose();
    });
    const write = (values: DataValue[]) =>
      store.writeDataValues(
        values,
        (stored) => planDataValues(values, stored, 'CREATE_AND_UPDATE'),
        false,
      );

    it('a page mixing stored and new periods counts, numbers and stores each value once', async () => {
      const old = ['DeBulk00001', 'DeBulk00002'].map((de) => dv({ dataElement: de }));
      await write(old);
      const before = await store.committedSeq();
      const page = [
        dv({ dataElement: 'DeBulk00001' }), // identical: nothing written, no number
        dv({ dataElement: 'DeBulk00002', value: '7', lastUpdated: T2 }), // updated
        dv({ dataElement: 'DeBulk00001', orgUnit: 'OuBulk00002' }), // same pair, new key
        dv({ dataElement: 'DeBulk00001', period: '202402', value: '3' }), // new pair
        dv({ dataElement: 'DeBulk00003', period: '202402', value: null, comment: null }), // no-op delete
      ];
      const plan = await write(page);
      assert.deepEqual(plan.count, { imported: 2, updated: 1, ignored: 2, deleted: 0 });
      assert.equal(await store.committedSeq(), before + 3);
      const stored = await store.queryDataValues({ dataElements: ['DeBulk00001', 'DeBulk00002'] });
      assert.equal(stored.length, 4);
      const updated = stored.find((v) => v.dataElement === 'DeBulk00002')!;
      assert.deepEqual(
        [updated.value, updated.created, updated.lastUpdated],
        ['7', old[1]!.created, T2],
      );
      const again = await write(page.slice(0, 4));
      assert.deepEqual(again.count, { imported: 0, updated: 0, ignored: 4, deleted: 0 });
      assert.equal(await store.committedSeq(), before + 3);
    });

    it('pages out timestamps toISOString writes with a sign the slow way, byte for byte', async () => {
      const from = await store.committedSeq();
      await write([
        dv({ dataElement: 'DeBulkOdd01', created: '0900-05-06T07:08:09.010Z' }),
        dv({ dataElement: 'DeBulkOdd02' }),
      ]);
      const w = { after: from, upTo: await store.committedSeq(), limit: 10, skipBefore: null };
      const slow = async () => {
        const page = await store.changedDataValues(w);
        return JSON.stringify(page.rows.map(wireValue)).slice(1, -1);
      };
      assert.equal((await store.changedDataValuesJson(w)).json, await slow());
      assert.match(await slow(), /"created":"0900-05-06T07:08:09.010Z"/);
      await sql`update data_value set created = '20000-01-01T00:00:00Z'
        where data_element = 'DeBulkOdd02'`.execute(open.db);
      assert.match(await slow(), /"created":"\+020000-01-01T00:00:00.000Z"/);
      assert.equal((await store.changedDataValuesJson(w)).json, await slow());
    });
  });
}
