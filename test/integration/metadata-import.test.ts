/**
 * POST /api/metadata on generated data (no ../shared), both backends (issue 4 §2, §4): the real
 * path of an import (HTTP status, users, atomic rollback, validate-only and dryRun, change
 * sequence and tombstones). The planner's rules (identifier=CODE, code clashes, references, org
 * unit cycles, deletes) are unit tests over the in-memory stores (test/unit/import-metadata.test.ts),
 * and the store look-ups they rely on are in the MetadataStore conformance suite on both backends.
 * Every test uses its own generated set (its own seed), so they share one server.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backends } from '../support/databases.ts';
import { generateMetadata, objectCount, payload } from '../support/generate-metadata.ts';
import {
  changeSeq,
  errorCodes,
  getJson,
  getObject,
  importOk,
  postMetadata,
} from '../support/metadata.ts';
import { useServer } from '../support/server.ts';

const ADMIN_ID = 'M5zQapPyTZI';

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
