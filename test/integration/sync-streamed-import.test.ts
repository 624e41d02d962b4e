/**
 * A version imported type by type from its stream (issue 18 §1, §6), on both backends, from a
 * fake DHIS2 central serving `data.gz`: an ATOMIC version whose LAST type fails leaves nothing of
 * the earlier types (already written in the transaction) and takes no change number, and its
 * report is the one a whole-payload import of the same objects gives; a reference to an object
 * of a later type resolves; keys in another order than the import order (a DHIS2 central's)
 * import all the same.
 */
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { after, beforeEach, describe, it } from 'node:test';
import { backends } from '../support/databases.ts';
import { startFakeDhis2Central, type FakeCentral } from '../support/fake-dhis2.ts';
import { useServer, type TestServer } from '../support/server.ts';
import { connect, newDataElement, objects, resetServer, runSync, syncOk } from '../support/sync.ts';
import { fetchJson, uid } from '../support/versions.ts';

type Json = Record<string, unknown>;

const system = { id: 'fake', rev: 'a1b2c3d', version: '2.41.0', date: '2016-07-01' };

const changeSeq = async (server: TestServer) =>
  Number(
    (
      await sql<{ seq: string }>`select seq from change_counter`.execute(
        server.instance.database.db,
      )
    ).rows[0]!.seq,
  );

function orgUnits(n: number): Json[] {
  const root = uid();
  return [
    { id: root, name: `Root ${root}`, shortName: `Root ${root}`, openingDate: '2020-01-01' },
    ...Array.from({ length: n - 1 }, () => {
      const id = uid();
      return {
        id,
        name: `Unit ${id}`,
        shortName: `Unit ${id}`,
        openingDate: '2020-01-01',
        parent: { id: root },
      };
    }),
  ];
}

for (const backend of await backends()) {
  describe(`a ${backend} local importing a version type by type`, () => {
    const local = useServer(backend, { syncRetry: 1, syncRetryFrequencyMs: 10 });
    const fakes: FakeCentral[] = [];
    beforeEach(() => resetServer(local));
    after(async () => {
      for (const f of fakes) await f.stop();
    });

    async function central(snapshot: Json, type = 'ATOMIC'): Promise<void> {
      const version = {
        name: 'Version_1',
        type,
        created: '2016-07-01T00:00:00.000+0000',
        id: uid(),
      };
      const fake = await startFakeDhis2Central({
        username: 'admin',
        password: 'district',
        versions: [{ entity: version, snapshot }],
        published: ['Version_1'],
        firstHistory: { metadataversions: [version] },
      });
      fakes.push(fake);
      await connect(local, fake.url, 'admin', 'district');
    }

    it('ATOMIC: a failing last type rolls back the earlier ones, reported as one import', async () => {
      const units = orgUnits(300);
      const broken = newDataElement('Last broken', { categoryCombo: { id: 'NoSuchCombo' } });
      const payload = {
        organisationUnits: units,
        dataElements: [newDataElement('Last fine'), broken],
      };
      await central({ system, ...payload });
      const seq = await changeSeq(local);
      const failed = await runSync(local);
      assert.equal(failed.status, 'FAILED');
      assert.equal(failed.error?.kind, 'IMPORT_FAILED', JSON.stringify(failed.error));
      const ids = new Set((await objects(local, 'organisationUnits', 'id')).map((o) => o.id));
      assert.ok(
        !units.some((u) => ids.has(u.id)),
        'the organisation units, written before the data elements failed, are rolled back',
      );
      assert.equal(await changeSeq(local), seq, 'no change number was taken');

      // The same objects imported whole (atomicMode ALL): the same stats, statuses and errors.
      const direct = await fetchJson<{ response: Json }>(local, '/api/metadata', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
      });
      const whole = direct.body.response as {
        status: string;
        stats: Json;
        typeReports: {
          klass: string;
          stats: Json;
          objectReports: { errorReports: Json[] }[];
        }[];
      };
      assert.equal(whole.status, 'ERROR');
      const version = failed.versions[0]!;
      assert.deepEqual(version.stats, whole.stats);
      assert.deepEqual(
        version.typeStats,
        Object.fromEntries(whole.typeReports.map((t) => [t.klass, t.stats])),
      );
      assert.deepEqual(
        Object.keys(version.typeStats ?? {}),
        whole.typeReports.map((t) => t.klass),
        'types in the same order',
      );
      const errors = whole.typeReports.flatMap((t) =>
        t.objectReports.flatMap((o) =>
          o.errorReports.map((e) => ({
            errorCode: e.errorCode,
            message: e.message,
            mainKlass: e.mainKlass,
            errorProperty: e.errorProperty,
            value: e.value,
          })),
        ),
      );
      assert.deepEqual(JSON.parse(JSON.stringify(version.errors)), errors);
      assert.ok(errors.some((e) => e.errorCode === 'E5002' && e.value === 'NoSuchCombo'));
      assert.equal(await changeSeq(local), seq, 'the direct ATOMIC import wrote nothing either');
    });

    it('BEST_EFFORT: the failing object of the last type is skipped, the earlier types stay', async () => {
      const units = orgUnits(20);
      const fine = newDataElement('Best fine');
      const broken = newDataElement('Best broken', { categoryCombo: { id: 'NoSuchCombo' } });
      await central(
        { system, organisationUnits: units, dataElements: [fine, broken] },
        'BEST_EFFORT',
      );
      const report = await syncOk(local);
      assert.equal(report.versions[0]!.status, 'WARNING');
      assert.deepEqual(report.versions[0]!.stats, {
        created: 21,
        updated: 0,
        deleted: 0,
        ignored: 1,
        total: 22,
      });
      const des = new Set((await objects(local, 'dataElements', 'id')).map((o) => o.id));
      assert.ok(des.has(fine.id) && !des.has(broken.id));
      const ous = new Set((await objects(local, 'organisationUnits', 'id')).map((o) => o.id));
      assert.ok(units.every((u) => ous.has(u.id)));
    });

    it('a reference to an object of a later type resolves, whatever the key order', async () => {
      // optionSets come before options in the import order and list them; the keys stand in
      // reverse import order, as another central may write them.
      const set = uid();
      const options = [0, 1, 2].map((k) => ({
        id: uid(),
        name: `Choice ${k}`,
        code: `C${k}`,
        sortOrder: k + 1,
        optionSet: { id: set },
      }));
      const element = newDataElement('Forward', { optionSet: { id: set }, valueType: 'TEXT' });
      await central({
        dataElements: [element],
        options,
        optionSets: [
          {
            id: set,
            name: `Set ${set}`,
            code: `OS_${set}`,
            valueType: 'TEXT',
            options: options.map((o) => ({ id: o.id })),
          },
        ],
        system,
      });
      const report = await syncOk(local);
      assert.equal(report.versions[0]!.status, 'SUCCESS', JSON.stringify(report.versions[0]));
      const stored = await objects(local, 'optionSets', 'id,options[id]');
      assert.deepEqual(
        (stored.find((s) => s.id === set)?.options as Json[]).map((o) => o.id).sort(),
        options.map((o) => o.id).sort(),
      );
      assert.equal((await objects(local, 'options', 'id')).length >= 3, true);
      assert.ok((await objects(local, 'dataElements', 'id')).some((d) => d.id === element.id));
    });
  });
}
