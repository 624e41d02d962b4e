/**
 * The metadata read and edit API on both backends (issue 4 §3, §6): GET /api/metadata with type
 * selection, fields, filter, defaults and the system header; GET /api/{type} paging, fields,
 * filter and order; GET/POST/PUT/DELETE of single objects; the authorities each needs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isValidUid } from '../../src/domain/uid.ts';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { generateMetadata, payload, uidSource } from '../support/generate-metadata.ts';
import { getJson, getObject, importOk, postMetadata, send } from '../support/metadata.ts';
import { startServer, type TestServer } from '../support/server.ts';

type Listed = { id: string; name?: string; code?: string; [k: string]: unknown };
const uid = uidSource(99);

for (const backend of await backends()) {
  describe(`metadata API on ${backend}`, () => {
    let database: TestDatabase;
    let server: TestServer;
    const g = generateMetadata(31, { dataElements: 7 });
    const later = generateMetadata(32, { dataElements: 2, optionSets: 0, orgUnitFanout: 0 });
    let between: string;
    before(async () => {
      database = await createTestDatabase(backend);
      server = await startServer(database);
      await importOk(server, payload(g));
      await new Promise((r) => setTimeout(r, 5));
      between = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 5));
      await importOk(server, payload(later));
    });
    after(async () => {
      await server?.stop();
      await database?.dispose();
    });

    const list = async (query: string) =>
      (
        await getJson<{ pager?: Record<string, unknown>; dataElements: Listed[] }>(
          server,
          `/api/dataElements?${query}`,
        )
      ).body;
    const mine = `filter=name:$like:${g.prefix}%20`;

    it('GET /api/metadata exports every type with a system header', async () => {
      const { status, body } = await getJson<
        Record<string, Listed[]> & { system: Record<string, unknown> }
      >(server, '/api/metadata');
      assert.equal(status, 200);
      const info = (await getJson(server, '/api/system/info')).body;
      assert.equal(body.system.id, info.systemId);
      assert.equal(body.system.version, info.version);
      assert.equal(body.system.rev, info.revision);
      assert.ok(!Number.isNaN(Date.parse(String(body.system.date))));
      assert.equal(body.dataElements!.length, 9);
      assert.ok(body.categoryCombos!.some((c) => c.id === 'bjDvmb4bfuf'));
      assert.ok(body.users!.some((u) => u.id === 'M5zQapPyTZI'));
      assert.ok(body.organisationUnits!.length > 0);
    });

    it('GET /api/metadata?dataElements=true&fields=id,name gives only those', async () => {
      const { body } = await getJson<Record<string, Listed[]>>(
        server,
        '/api/metadata?dataElements=true&fields=id,name',
      );
      assert.deepEqual(Object.keys(body).sort(), ['dataElements', 'system']);
      for (const de of body.dataElements!) assert.deepEqual(Object.keys(de).sort(), ['id', 'name']);
    });

    it('GET /api/metadata?filter=lastUpdated:ge: gives what changed since; defaults=EXCLUDE drops "default"', async () => {
      const { body } = await getJson<Record<string, Listed[]>>(
        server,
        `/api/metadata?filter=lastUpdated:ge:${between}`,
      );
      assert.deepEqual(
        body.dataElements!.map((d) => d.id).sort(),
        later.dataElements.map((d) => d.id as string).sort(),
      );
      assert.equal(body.optionSets, undefined);
      const all = (
        await getJson<Record<string, Listed[]>>(server, '/api/metadata?categoryCombos=true')
      ).body;
      const none = (
        await getJson<Record<string, Listed[]>>(
          server,
          '/api/metadata?categoryCombos=true&defaults=EXCLUDE',
        )
      ).body;
      assert.ok(all.categoryCombos!.some((c) => c.id === 'bjDvmb4bfuf'));
      assert.ok(!none.categoryCombos!.some((c) => c.id === 'bjDvmb4bfuf'));
      assert.equal(none.categoryCombos!.length, all.categoryCombos!.length - 1);
    });

    it('GET /api/{type} pages with a DHIS2 pager', async () => {
      const p2 = await list(`${mine}&pageSize=3&page=2`);
      assert.equal(p2.dataElements.length, 3);
      const { nextPage, prevPage, ...pager } = p2.pager!;
      assert.deepEqual(pager, { page: 2, pageCount: 3, total: 7, pageSize: 3 });
      // Following nextPage gives the next page of the same query.
      const next = new URL(String(nextPage));
      assert.equal(next.pathname, '/api/dataElements');
      assert.equal(next.searchParams.get('page'), '3');
      assert.equal(next.searchParams.get('pageSize'), '3');
      assert.equal(next.searchParams.get('filter'), `name:$like:${g.prefix} `);
      assert.equal(new URL(String(prevPage)).searchParams.get('page'), '1');
      const followed = await getJson<{ dataElements: Listed[] }>(
        server,
        next.pathname + next.search,
      );
      assert.equal(followed.body.dataElements.length, 1);
      const p3 = await list(`${mine}&pageSize=3&page=3`);
      assert.equal(p3.dataElements.length, 1);
      assert.equal(p3.pager!.nextPage, undefined);
      const all = await list(`${mine}&paging=false`);
      assert.equal(all.pager, undefined);
      assert.equal(all.dataElements.length, 7);
      assert.deepEqual(Object.keys(all.dataElements[0]!).sort(), ['displayName', 'id']);
    });

    it('GET /api/{type} applies fields, filters (eq, like, in, nested) and order', async () => {
      const [first, second] = g.dataElements;
      const fields = await list(`${mine}&paging=false&fields=id,code,categoryCombo[id]`);
      assert.deepEqual(fields.dataElements[0], {
        id: fields.dataElements[0]!.id,
        code: fields.dataElements[0]!.code,
        categoryCombo: { id: g.categoryCombos[0]!.id },
      });
      const eq = await list(`filter=code:eq:${first!.code as string}&fields=id`);
      assert.deepEqual(eq.dataElements, [{ id: first!.id }]);
      const like = await list(`filter=name:like:${g.prefix}%20DE&paging=false`);
      assert.equal(like.dataElements.length, 7);
      const inList = await list(
        `filter=id:in:[${first!.id as string},${second!.id as string}]&paging=false`,
      );
      assert.equal(inList.dataElements.length, 2);
      const nested = await list(
        `filter=categoryCombo.id:eq:${g.categoryCombos[0]!.id as string}&paging=false`,
      );
      assert.equal(nested.dataElements.length, 7);
      const both = await list(`${mine}&filter=code:eq:${first!.code as string}&paging=false`);
      assert.equal(both.dataElements.length, 1);
      const desc = await list(`${mine}&paging=false&order=code:desc&fields=code`);
      const codes = desc.dataElements.map((d) => d.code!);
      assert.deepEqual(codes, [...codes].sort().reverse());
    });

    it('GET /api/{type}/{id} answers the object, or a 404 WebMessage', async () => {
      const de = (await getObject(server, 'dataElements', g.dataElements[0]!.id as string))!;
      assert.equal(de.name, g.dataElements[0]!.name);
      assert.deepEqual(de.categoryCombo, { id: g.categoryCombos[0]!.id });
      const missing = await getJson(server, `/api/dataElements/${uid()}`);
      assert.equal(missing.status, 404);
      assert.equal(missing.body.httpStatusCode, 404);
      assert.equal(missing.body.status, 'ERROR');
      assert.match(String(missing.body.message), /could not be found/);
    });

    it('POST /api/{type} creates (201, response.uid), also without an id; PUT updates; DELETE deletes', async () => {
      const base = {
        shortName: 'x',
        valueType: 'NUMBER',
        aggregationType: 'SUM',
        domainType: 'AGGREGATE',
      };
      const id = uid();
      const created = await send(server, 'POST', '/api/dataElements', {
        id,
        name: 'Posted',
        ...base,
      });
      assert.equal(created.status, 201, created.text);
      assert.equal((created.body.response as { uid: string }).uid, id);
      const noId = await send(server, 'POST', '/api/dataElements', {
        name: 'Posted without id',
        ...base,
        shortName: 'y',
      });
      assert.equal(noId.status, 201);
      const newId = (noId.body.response as { uid: string }).uid;
      assert.ok(isValidUid(newId));
      assert.equal((await getObject(server, 'dataElements', newId))?.name, 'Posted without id');
      assert.deepEqual((await getObject(server, 'dataElements', id))?.categoryCombo, {
        id: 'bjDvmb4bfuf',
      });

      const put = await send(server, 'PUT', `/api/dataElements/${id}`, { name: 'Put', ...base });
      assert.equal(put.status, 200, put.text);
      assert.equal((await getObject(server, 'dataElements', id))?.name, 'Put');
      assert.equal(
        (await send(server, 'PUT', `/api/dataElements/${uid()}`, { name: 'z', ...base })).status,
        404,
      );

      const del = await send(server, 'DELETE', `/api/dataElements/${id}`);
      assert.equal(del.status, 200);
      assert.equal(await getObject(server, 'dataElements', id), null);
      assert.equal((await send(server, 'DELETE', `/api/dataElements/${id}`)).status, 404);
    });

    it('DELETE of a referenced object is 409 with response.referencedBy', async () => {
      const combo = g.categoryCombos[0]!.id as string;
      const r = await send(server, 'DELETE', `/api/categoryCombos/${combo}`);
      assert.equal(r.status, 409);
      const { referencedBy } = r.body.response as { referencedBy: { type: string; id: string }[] };
      const expected = g.dataElements.map((d) => ({ type: 'dataElements', id: d.id as string }));
      for (const e of expected)
        assert.ok(referencedBy.some((x) => x.type === e.type && x.id === e.id));
      assert.ok(await getObject(server, 'categoryCombos', combo));
    });

    it('checks authorities: export, import, per-type add/delete; reads need only a login', async () => {
      const users = server.instance.services.users;
      const mk = async (username: string, authority: string) => {
        await users.create({ username, password: 'Passw0rd-x!', authorities: [authority] });
        return [username, 'Passw0rd-x!'] as [string, string];
      };
      const exporter = await mk('exporter', 'F_METADATA_EXPORT');
      const importer = await mk('importer', 'F_METADATA_IMPORT');
      const adder = await mk('deadder', 'F_DATAELEMENT_ADD');
      const plain = await mk('plainuser', 'F_DATAVALUE_ADD');

      assert.equal((await postMetadata(server, {}, {}, exporter)).httpStatus, 403);
      assert.equal((await getJson(server, '/api/metadata', exporter)).status, 200);
      assert.equal((await getJson(server, '/api/metadata', importer)).status, 403);
      assert.equal(
        (await postMetadata(server, { dataElements: [] }, {}, importer)).httpStatus,
        200,
      );

      const de = {
        name: 'By adder',
        shortName: 'ba',
        valueType: 'NUMBER',
        aggregationType: 'SUM',
        domainType: 'AGGREGATE',
      };
      const posted = await send(server, 'POST', '/api/dataElements', de, adder);
      assert.equal(posted.status, 201);
      const id = (posted.body.response as { uid: string }).uid;
      const denied = await send(server, 'DELETE', `/api/dataElements/${id}`, undefined, adder);
      assert.equal(denied.status, 403);
      assert.equal(denied.body.errorCode, 'E1006');
      assert.equal((await send(server, 'POST', '/api/dataElements', de, plain)).status, 403);
      assert.equal(
        (await send(server, 'POST', '/api/categoryCombos', { name: 'cc' }, adder)).status,
        403,
      );

      const read = await getJson<{ dataElements: Listed[] }>(
        server,
        `/api/dataElements?${mine}`,
        plain,
      );
      assert.equal(read.status, 200);
      assert.equal(read.body.dataElements.length, 7);
      assert.equal((await getJson(server, `/api/dataElements/${id}`, plain)).status, 200);
      assert.equal((await getJson(server, '/api/dataElements', null)).status, 401);
    });
  });
}
