/**
 * POST /api/metadata on generated data (no ../shared), both backends (issue 4 §2, §4): import
 * strategies, atomic modes, validate-only imports, identifier=CODE, unique and reference checks,
 * org unit cycles, deletes, unknown and non-metadata keys, change sequence and tombstones.
 * Every test uses its own generated set (its own seed), so they share one server.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backends } from '../support/databases.ts';
import { generateMetadata, objectCount, payload, uidSource } from '../support/generate-metadata.ts';
import {
  changeSeq,
  errorCodes,
  errorReports,
  getJson,
  getObject,
  importOk,
  postMetadata,
} from '../support/metadata.ts';
import { useServer } from '../support/server.ts';

const ADMIN_ID = 'M5zQapPyTZI';
const newId = uidSource(4242);

for (const backend of await backends()) {
  describe(`metadata import on ${backend}`, () => {
    const server = useServer(backend);

    /** Data elements whose name starts with the prefix, as GET /api/dataElements lists them. */
    const listed = async (prefix: string) =>
      (
        await getJson<{ dataElements: { id: string }[] }>(
          server,
          `/api/dataElements?paging=false&filter=name:$like:${prefix}%20`,
        )
      ).body.dataElements.length;

    it('creates a generated set, then updates it: created kept, lastUpdated and lastUpdatedBy move', async () => {
      const g = generateMetadata(1);
      const created = await importOk(server, payload(g));
      assert.equal(created.stats.created, objectCount(g));
      assert.equal(created.stats.ignored, 0);
      const de = g.dataElements[0]!;
      const first = (await getObject(server, 'dataElements', de.id as string))!;
      assert.deepEqual(first.createdBy, { id: ADMIN_ID });
      assert.deepEqual(first.lastUpdatedBy, { id: ADMIN_ID });
      assert.equal(first.created, first.lastUpdated);

      const importer = await server.instance.services.users.create({
        username: 'importer',
        password: 'Importer-123!',
        authorities: ['F_METADATA_IMPORT'],
      });
      await new Promise((r) => setTimeout(r, 5));
      de.name = `${g.prefix} DE renamed`;
      const updated = await postMetadata(server, payload(g), {}, ['importer', 'Importer-123!']);
      assert.equal(updated.httpStatus, 200);
      assert.equal(updated.report.stats.updated, objectCount(g));
      assert.equal(updated.report.stats.unchanged, objectCount(g) - 1);
      const second = (await getObject(server, 'dataElements', de.id as string))!;
      assert.equal(second.name, `${g.prefix} DE renamed`);
      assert.equal(second.created, first.created);
      assert.ok(String(second.lastUpdated) > String(first.lastUpdated));
      assert.deepEqual(second.createdBy, { id: ADMIN_ID });
      assert.deepEqual(second.lastUpdatedBy, { id: importer.id });
    });

    it('importStrategy CREATE on an existing object is E5000, UPDATE on a missing one E5001 (409)', async () => {
      const g = generateMetadata(2);
      await importOk(server, payload(g));
      const create = await postMetadata(server, payload(g), { importStrategy: 'CREATE' });
      assert.equal(create.httpStatus, 409);
      assert.equal(create.report.status, 'ERROR');
      assert.deepEqual(errorCodes(create.report), ['E5000']);
      assert.equal(create.report.stats.ignored, objectCount(g));
      const fresh = generateMetadata(20);
      const update = await postMetadata(server, payload(fresh), { importStrategy: 'UPDATE' });
      assert.equal(update.httpStatus, 409);
      assert.ok(errorCodes(update.report).includes('E5001'));
      assert.equal(await listed(fresh.prefix), 0);
    });

    it('atomicMode ALL with one bad object writes nothing; NONE writes the others and reports it', async () => {
      const g = generateMetadata(3);
      delete g.dataElements[2]!.valueType;
      const seq = await changeSeq(server);
      const all = await postMetadata(server, payload(g));
      assert.equal(all.httpStatus, 409);
      assert.deepEqual(errorCodes(all.report), ['E4000']);
      assert.equal(all.report.stats.created, 0);
      assert.equal(await listed(g.prefix), 0);
      assert.equal(await changeSeq(server), seq);

      const none = await postMetadata(server, payload(g), { atomicMode: 'NONE' });
      assert.equal(none.httpStatus, 200);
      assert.equal(none.report.status, 'WARNING');
      assert.equal(none.report.stats.created, objectCount(g) - 1);
      assert.equal(none.report.stats.ignored, 1);
      const [bad] = none.report.typeReports.flatMap((t) => t.objectReports);
      assert.equal(bad!.index, 2);
      assert.equal(bad!.uid, g.dataElements[2]!.id);
      assert.equal(bad!.errorReports[0]!.errorProperty, 'valueType');
      assert.equal(await listed(g.prefix), g.dataElements.length - 1);
    });

    for (const [seed, query] of [
      [40, { importMode: 'VALIDATE' }],
      [41, { dryRun: 'true' }],
    ] as [number, Record<string, string>][])
      it(`${new URLSearchParams(query).toString()} reports what would happen and writes nothing`, async () => {
        const g = generateMetadata(seed);
        const seq = await changeSeq(server);
        const r = await postMetadata(server, payload(g), query);
        assert.equal(r.httpStatus, 200);
        assert.equal(r.report.status, 'OK');
        assert.equal(r.report.stats.created, objectCount(g));
        assert.equal(await changeSeq(server), seq);
        assert.equal(
          await getObject(server, 'dataElements', g.dataElements[0]!.id as string),
          null,
        );
        delete g.dataElements[0]!.name;
        const bad = await postMetadata(server, payload(g), query);
        assert.equal(bad.httpStatus, 409);
        assert.deepEqual(errorCodes(bad.report), ['E4000']);
      });

    it('identifier=CODE matches stored objects by code', async () => {
      const g = generateMetadata(5);
      await importOk(server, payload(g));
      const { id, ...byCode } = g.dataElements[1]!;
      const r = await importOk(
        server,
        { dataElements: [{ ...byCode, name: `${g.prefix} by code` }] },
        { identifier: 'CODE' },
      );
      assert.equal(r.stats.updated, 1);
      assert.equal(r.stats.created, 0);
      assert.equal(
        (await getObject(server, 'dataElements', id as string))?.name,
        `${g.prefix} by code`,
      );
    });

    it('option codes may repeat across option sets, not within one (E5003)', async () => {
      const g = generateMetadata(6, { optionSets: 2, optionsPerSet: 3 });
      const r = await importOk(server, payload(g));
      assert.equal(r.stats.created, objectCount(g));
      const set = g.optionSets[0]!;
      const clash = { id: newId(), name: 'clash', code: 'OPT_1', optionSet: { id: set.id } };
      const stored = await postMetadata(server, { options: [clash] });
      assert.equal(stored.httpStatus, 409);
      const [e] = errorReports(stored.report);
      assert.equal(e!.errorCode, 'E5003');
      assert.equal(e!.errorProperty, 'code');
      assert.equal(e!.value, 'OPT_1');
      const other = generateMetadata(60, { optionSets: 1, optionsPerSet: 2 });
      other.options[1]!.code = 'OPT_0';
      const inPayload = await postMetadata(server, payload(other));
      assert.equal(inPayload.httpStatus, 409);
      // The option set then points at a rejected option: reported as E5002 too.
      const clashes = errorReports(inPayload.report).filter((x) => x.errorCode === 'E5003');
      assert.deepEqual(
        clashes.map((x) => [x.errorProperty, x.value]),
        [['code', 'OPT_0']],
      );
    });

    it('references resolve within the payload; a dangling one is E5002 with its property path', async () => {
      const g = generateMetadata(7);
      const dataSet = (dataElement: string) => ({
        id: newId(),
        name: `${g.prefix} DS ${dataElement}`,
        periodType: 'Monthly',
        dataSetElements: [{ dataElement: { id: dataElement } }],
      });
      const ok = await importOk(server, {
        ...payload(g),
        dataSets: [dataSet(g.dataElements[0]!.id as string)],
      });
      assert.equal(ok.stats.created, objectCount(g) + 1);
      const missing = newId();
      const r = await postMetadata(server, { dataSets: [dataSet(missing)] });
      assert.equal(r.httpStatus, 409);
      const [e] = errorReports(r.report);
      assert.equal(e!.errorCode, 'E5002');
      assert.equal(e!.errorProperty, 'dataSetElements[0].dataElement');
      assert.equal(e!.value, missing);
      assert.equal(e!.mainKlass, 'org.hisp.dhis.dataset.DataSet');
    });

    it('an org unit parent cycle is E4062, in the payload and through stored parents', async () => {
      const g = generateMetadata(8, { orgUnitFanout: 1 });
      const [a, b] = g.organisationUnits;
      a!.parent = { id: b!.id };
      const r = await postMetadata(server, { organisationUnits: [a, b] });
      assert.equal(r.httpStatus, 409);
      assert.ok(errorCodes(r.report).includes('E4062'), JSON.stringify(errorReports(r.report)));

      const h = generateMetadata(80, { orgUnitFanout: 1 });
      await importOk(server, payload(h));
      const [root, , grandchild] = h.organisationUnits;
      const loop = await postMetadata(server, {
        organisationUnits: [{ ...root, parent: { id: grandchild!.id } }],
      });
      assert.equal(loop.httpStatus, 409, 'a cycle through stored parents was accepted');
      assert.deepEqual(errorCodes(loop.report), ['E4062']);
      // Moving a unit up the tree, or making it a root, is no cycle.
      await importOk(server, { organisationUnits: [{ ...grandchild, parent: { id: root!.id } }] });
      const { parent: _p, ...noParent } = h.organisationUnits[1]!;
      await importOk(server, { organisationUnits: [noParent] });
      assert.equal(
        (await getObject(server, 'organisationUnits', noParent.id as string))?.parent,
        undefined,
      );
    });

    it('deleting a referenced object is E4030; deleting the default category combo is E4063', async () => {
      const g = generateMetadata(9);
      await importOk(server, payload(g));
      const combo = g.categoryCombos[0]!.id as string;
      const referenced = await postMetadata(
        server,
        { categoryCombos: [{ id: combo }] },
        { importStrategy: 'DELETE' },
      );
      assert.equal(referenced.httpStatus, 409);
      assert.deepEqual(errorCodes(referenced.report), ['E4030']);
      assert.ok(await getObject(server, 'categoryCombos', combo));
      const byDefault = await postMetadata(
        server,
        { categoryCombos: [{ id: 'bjDvmb4bfuf' }] },
        { importStrategy: 'DELETE' },
      );
      assert.equal(byDefault.httpStatus, 409);
      assert.deepEqual(errorCodes(byDefault.report), ['E4063']);
      // Deleting the referencing objects in the same payload is fine.
      const together = await importOk(
        server,
        {
          categoryCombos: [{ id: combo }],
          dataElements: g.dataElements.map((d) => ({ id: d.id })),
        },
        { importStrategy: 'DELETE' },
      );
      assert.equal(together.stats.deleted, g.dataElements.length + 1);
    });

    it('moves the change sequence by the number of writes; a delete leaves a tombstone', async () => {
      const g = generateMetadata(12);
      const s0 = await changeSeq(server);
      await importOk(server, payload(g));
      const s1 = await changeSeq(server);
      assert.equal(s1 - s0, objectCount(g));
      g.dataElements[0]!.name = `${g.prefix} changed`;
      await importOk(server, payload(g));
      assert.equal(await changeSeq(server), s1 + 1, 'only the changed object is written');
      const de = g.dataElements[1]!;
      const del = await importOk(
        server,
        { dataElements: [{ id: de.id }] },
        { importStrategy: 'DELETE' },
      );
      assert.equal(del.stats.deleted, 1);
      assert.equal(await changeSeq(server), s1 + 2);
      const tombstone = await server.instance.database.db
        .selectFrom('metadata_tombstone')
        .selectAll()
        .where('id', '=', de.id as string)
        .executeTakeFirstOrThrow();
      assert.equal(tombstone.type, 'dataElements');
      assert.equal(tombstone.code, de.code);
      assert.equal(Number(tombstone.seq), s1 + 2);
      assert.equal(tombstone.deleted_by, ADMIN_ID);
      const meta = await server.instance.database.db
        .selectFrom('metadata_object')
        .select(({ fn }) => fn.max('seq').as('max'))
        .executeTakeFirstOrThrow();
      assert.ok(Number(meta.max) <= s1 + 1);
    });
  });
}
