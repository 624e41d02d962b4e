/**
 * Every DHIS2 2.39–2.43 period type through the data endpoints (issue 16 §3): a DHIS2 local
 * holding values for QuarterlyNov, FinancialFeb/Aug/Sep or WeeklyFriday periods finishes its push;
 * other spellings DHIS2 reads are stored under the canonical id; `startDate`/`endDate` exports
 * use DHIS2's dates (2000Nov is November 1999 – October 2000). One server per backend.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { backends } from '../support/databases.ts';
import { IDS, exportValues, importDataMetadata, postValues, value } from '../support/data.ts';
import { start, type Started } from '../support/sync.ts';
import { fetchJson } from '../support/versions.ts';

/** One period id of each type DHIS2 2.39.3+ … 2.43 added, and the FinancialNov id issue 16 cites. */
const NEW_PERIODS = ['2000NovQ1', '2000Feb', '2000Aug', '2000Sep', '2000FriW2', '2000Nov'];

const periodsOf = (values: Record<string, unknown>[]) => values.map((v) => String(v.period)).sort();

for (const backend of await backends()) {
  describe(`data periods on ${backend}`, () => {
    let s: Started;
    before(async () => {
      s = await start(backend);
      await importDataMetadata(s.server);
    });
    after(async () => s?.dispose());

    it('imports values and registrations for every new period type, as a DHIS2 local pushes them', async () => {
      const r = await postValues(s.server, {
        dataValues: NEW_PERIODS.map((pe, i) => value(IDS.deNumber, pe, String(i + 1))),
      });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.summary.status, 'SUCCESS', r.text);
      assert.deepEqual(r.summary.conflicts ?? [], []);
      assert.equal(r.summary.importCount.imported, NEW_PERIODS.length);
      const stored = await exportValues(
        s.server,
        `dataElement=${IDS.deNumber}&period=${NEW_PERIODS.join(',')}`,
      );
      assert.deepEqual(periodsOf(stored), [...NEW_PERIODS].sort());

      const reg = await fetchJson<{
        response: { status: string; importCount: { imported: number } };
      }>(s.server, '/api/completeDataSetRegistrations', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          completeDataSetRegistrations: ['2000NovQ1', '2000FriW2'].map((period) => ({
            dataSet: IDS.dataSet,
            period,
            organisationUnit: IDS.ouRoot,
            attributeOptionCombo: IDS.coc,
            date: '2000-12-01',
            completed: true,
          })),
        }),
      });
      assert.equal(reg.status, 200, reg.text);
      assert.equal(reg.body.response.status, 'SUCCESS', reg.text);
      assert.equal(reg.body.response.importCount.imported, 2);
    });

    it('exports by startDate/endDate with DHIS2 dates: 2000Nov and 2000NovQ1 start in November 1999', async () => {
      const within = async (startDate: string, endDate: string) =>
        periodsOf(
          await exportValues(
            s.server,
            `dataElement=${IDS.deNumber}&startDate=${startDate}&endDate=${endDate}`,
          ),
        );
      assert.deepEqual(await within('1999-11-01', '2000-10-31'), [
        '2000FriW2',
        '2000Nov',
        '2000NovQ1',
      ]);
      assert.deepEqual(await within('2000-01-01', '2001-08-31'), [
        '2000Aug',
        '2000Feb',
        '2000FriW2',
        '2000Sep',
      ]);
    });

    it('stores the other spellings DHIS2 reads under the canonical id', async () => {
      const first = await postValues(s.server, {
        dataValues: [value(IDS.deInteger, '2000-03', '5'), value(IDS.deInteger, '2000FriW03', '6')],
      });
      assert.equal(first.summary.status, 'SUCCESS', first.text);
      assert.equal(first.summary.importCount.imported, 2);
      // The canonical ids name the same two values: nothing new, nothing changed.
      const again = await postValues(s.server, {
        dataValues: [value(IDS.deInteger, '200003', '5'), value(IDS.deInteger, '2000FriW3', '6')],
      });
      assert.deepEqual(again.summary.importCount, {
        imported: 0,
        updated: 0,
        ignored: 2,
        deleted: 0,
      });
      const stored = await exportValues(
        s.server,
        `dataElement=${IDS.deInteger}&period=2000-03,2000FriW03`,
      );
      assert.deepEqual(periodsOf(stored), ['200003', '2000FriW3']);
    });

    it('still refuses ids DHIS2 refuses (E7611)', async () => {
      const r = await postValues(s.server, {
        dataValues: ['2000NovQ5', '2023FriW53', '2000Mar'].map((pe) =>
          value(IDS.deNumber, pe, '1'),
        ),
      });
      assert.equal(r.status, 409, r.text);
      assert.deepEqual(
        r.summary.conflicts.map((c) => [c.value, c.errorCode]),
        ['2000NovQ5', '2023FriW53', '2000Mar'].map((pe) => [
          `Period not valid: \`${pe}\``,
          'E7611',
        ]),
      );
    });
  });
}
