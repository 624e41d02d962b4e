/**
 * Longer fixture scenarios on both backends (issue 4 Tests): the DATIM fy2024 chain in numeric
 * order under atomicMode=NONE (07 is the BEST_EFFORT case), the platform-perf org units, user
 * groups and users with an unchanged re-import, and the export → re-import round trip.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import {
  FIXTURES,
  fixturesSkip,
  idAtPath,
  importFixture,
  readFixtureJson,
  statsByType,
} from '../support/fixtures.ts';
import {
  changeSeq,
  errorCodes,
  errorReports,
  getJson,
  importOk,
  type ImportReportJson,
} from '../support/metadata.ts';
import { resetMetadata } from '../support/reset.ts';
import { startServer, type TestServer } from '../support/server.ts';

const DATIM = 'datim/fy2024_results';
const SERVER_KEYS = new Set(['created', 'lastUpdated', 'createdBy', 'lastUpdatedBy']);

/** An export without server-maintained properties, objects sorted by id, per type. */
function comparable(exported: Record<string, unknown>): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [type, list] of Object.entries(exported)) {
    if (type === 'system') continue;
    out[type] = (list as Record<string, unknown>[])
      .map((o) => Object.fromEntries(Object.entries(o).filter(([k]) => !SERVER_KEYS.has(k))))
      .sort((a, b) => String(a.id).localeCompare(String(b.id)));
  }
  return out;
}

for (const backend of await backends()) {
  describe(`metadata fixture chains on ${backend}`, { skip: fixturesSkip }, () => {
    let database: TestDatabase;
    let server: TestServer;
    before(async () => {
      database = await createTestDatabase(backend);
      server = await startServer(database);
    });
    after(async () => {
      await server?.stop();
      await database?.dispose();
    });

    it('imports the DATIM fy2024 chain in numeric order with atomicMode=NONE', async (t) => {
      await resetMetadata(server);
      const files = (await readdir(path.join(FIXTURES, DATIM))).filter((f) => /^\d\d_/.test(f));
      assert.equal(files.length, 12);
      const reports = new Map<string, ImportReportJson>();
      let storedAfter07: { type: string; id: string }[] = [];
      for (const file of files.sort()) {
        const { httpStatus, report } = await importFixture(server, `${DATIM}/${file}`, {
          atomicMode: 'NONE',
        });
        assert.equal(httpStatus, 200, file);
        reports.set(file.slice(0, 2), report);
        if (file.startsWith('07'))
          storedAfter07 = await server.instance.database.db
            .selectFrom('metadata_object')
            .select(['type', 'id'])
            .execute();
      }
      for (const n of ['01', '02', '03', '04'])
        assert.equal(
          reports.get(n)!.status,
          'OK',
          `${n}: ${JSON.stringify(reports.get(n)!.stats)}`,
        );
      for (const n of ['05', '06', '07', '08', '09', '10', '11']) {
        const r = reports.get(n)!;
        assert.equal(r.status, 'WARNING', n);
        assert.ok(r.stats.ignored > 0, n);
        // 07 also lists 17 data element groups twice (identical copies): E5004, first kept.
        assert.deepEqual(errorCodes(r), n === '07' ? ['E5002', 'E5004'] : ['E5002'], n);
      }
      const is = reports.get('12')!;
      assert.equal(is.status, 'WARNING');
      assert.deepEqual(is.stats, { created: 0, updated: 0, deleted: 0, ignored: 5, total: 5 });
      assert.equal(errorReports(is).filter((e) => e.errorCode === 'E4061').length, 5);

      await t.test('07_DEsDEGSsDEGs: dangling references named, the rest stored', async () => {
        const r = reports.get('07')!;
        const file = await readFixtureJson<Record<string, Record<string, unknown>[]>>(
          `${DATIM}/07_DEsDEGSsDEGs.json`,
        );
        assert.equal(r.stats.total, 786);
        assert.equal(r.stats.created + r.stats.ignored, 786);
        // References resolve against any type; ids are unique per type only.
        const anyType = new Set(storedAfter07.map((o) => o.id));
        const stored = new Set(storedAfter07.map((o) => `${o.type}/${o.id}`));
        const byType = statsByType(r);
        for (const tr of r.typeReports) {
          const type = [...byType].find(([, s]) => s === tr.stats)![0];
          const objects = file[type]!;
          const failed = new Set(tr.objectReports.map((o) => o.index));
          const copies = new Set<number>();
          assert.equal(failed.size, tr.stats.ignored, type);
          for (const o of tr.objectReports)
            for (const e of o.errorReports) {
              if (e.errorCode === 'E5004') {
                const first = objects.findIndex((x) => x.id === e.value);
                assert.ok(first < o.index);
                assert.deepEqual(objects[o.index], objects[first]);
                copies.add(o.index);
                continue;
              }
              assert.equal(e.errorCode, 'E5002');
              assert.ok(!anyType.has(e.value!), `${e.value} is stored but reported dangling`);
              assert.equal(idAtPath(objects[o.index], e.errorProperty!), e.value);
            }
          objects.forEach((object, index) => {
            if (!copies.has(index))
              assert.equal(
                stored.has(`${type}/${object.id as string}`),
                !failed.has(index),
                `${type}[${index}]`,
              );
          });
        }
        assert.ok(byType.get('dataElements')!.created > 0);
      });
    });

    it('imports platform-perf org units, user groups and users; the re-import writes nothing', async () => {
      await resetMetadata(server);
      const ous = await importFixture(server, 'platform-perf/orgunits/orgunits_0000.json');
      assert.equal(ous.report.status, 'OK');
      assert.equal(ous.report.stats.created, 10_022);
      const groups = await importFixture(server, 'platform-perf/usergroups/usergroups.json');
      assert.equal(groups.report.status, 'OK');
      assert.equal(groups.report.stats.created, 10);
      const users = await importFixture(server, 'platform-perf/users/users_0000.json');
      assert.equal(users.report.status, 'OK', JSON.stringify(errorReports(users.report)[0]));
      assert.equal(users.report.stats.created, 5000);

      const seq = await changeSeq(server);
      for (const file of ['orgunits/orgunits_0000.json', 'users/users_0000.json']) {
        const again = await importFixture(server, `platform-perf/${file}`);
        assert.equal(again.report.status, 'OK');
        const { total, updated, unchanged } = again.report.stats;
        assert.equal(updated, total, file);
        assert.equal(unchanged, total, file);
      }
      assert.equal(
        await changeSeq(server),
        seq,
        'the unchanged re-import moved the change sequence',
      );

      // The users' DHIS2 bcrypt hashes are kept, and never shown.
      const { users: list } = await readFixtureJson<{ users: Record<string, unknown>[] }>(
        'platform-perf/users/users_0000.json',
      );
      const sample = list[0]!;
      const row = await server.instance.database.db
        .selectFrom('app_user')
        .select('password_hash')
        .where('id', '=', sample.id as string)
        .executeTakeFirstOrThrow();
      assert.match(row.password_hash, /^\$2[aby]\$/);
      const one = await getJson(server, `/api/users/${sample.id as string}`);
      assert.equal(one.status, 200);
      assert.ok(!one.text.includes(row.password_hash));
      assert.ok(!users.text.includes(row.password_hash));
    });

    it('exports the TB package, re-imports the export into a fresh database, exports equal objects', async () => {
      await resetMetadata(server);
      const tb = await importFixture(server, 'packages/TB/TB_COMPLETE_V1_DHIS2.36/metadata.json');
      assert.equal(tb.report.status, 'OK');
      const first = await getJson(server, '/api/metadata');
      assert.equal(first.status, 200);
      assert.ok(!('password' in (first.body.users as object[])[0]!));
      await resetMetadata(server);
      const report = await importOk(server, first.body);
      assert.equal(report.stats.ignored, 0);
      const second = await getJson(server, '/api/metadata');
      const a = comparable(first.body);
      const b = comparable(second.body);
      assert.deepEqual(Object.keys(b).sort(), Object.keys(a).sort());
      for (const type of Object.keys(a)) assert.deepEqual(b[type], a[type], type);
      assert.equal((a.dataElements ?? []).length, 96);
    });
  });
}
