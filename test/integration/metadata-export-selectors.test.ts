/**
 * DHIS2's per-type selectors on `GET /api/metadata` (issue 16 §9) over real HTTP on both
 * backends: `type:fields`, `type:filter` (several per type), `type:order`, with `type=true` and
 * several types at once; the default `fields`/`filter`/`order` where a type has none of its own;
 * the index for `lastUpdated:ge:`; DHIS2's 409 for a filter it refuses. Each expectation follows
 * DefaultMetadataExportService.getParamsFromMap (2.39.0, 2.41.9.1, 2.43.1).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { backends } from '../support/databases.ts';
import { generateMetadata, payload } from '../support/generate-metadata.ts';
import { getJson, importOk } from '../support/metadata.ts';
import { useServer } from '../support/server.ts';

type Obj = { id: string; name?: string; code?: string; level?: number; [k: string]: unknown };
type Export = Record<string, Obj[]> & { system?: Record<string, unknown> };

for (const backend of await backends()) {
  describe(`GET /api/metadata per-type selectors on ${backend}`, () => {
    const server = useServer(backend);
    const g = generateMetadata(161, { dataElements: 6, orgUnitFanout: 2 });
    const later = generateMetadata(162, { dataElements: 2, optionSets: 0, orgUnitFanout: 0 });
    // DHIS2 exports carry each unit's level: root 1, its children 2, theirs 3.
    const rootId = g.organisationUnits[0]!.id;
    const units: Obj[] = g.organisationUnits.map((o) => {
      const parent = (o.parent as { id: string } | undefined)?.id;
      return {
        ...o,
        id: o.id as string,
        level: parent === undefined ? 1 : parent === rootId ? 2 : 3,
      };
    });
    const [a, b, c] = g.dataElements as Obj[];
    let between = '';
    before(async () => {
      await importOk(server, { ...payload(g), organisationUnits: units });
      await new Promise((r) => setTimeout(r, 5));
      between = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 5));
      await importOk(server, payload(later));
    });

    const get = async (query: string) => {
      const r = await getJson<Export>(server, `/api/metadata?${query}`);
      assert.equal(r.status, 200, r.text);
      return r.body;
    };
    const ids = (list: Obj[] | undefined) => (list ?? []).map((o) => o.id).sort();

    it('dataElements:fields with dataElements:filter=id:in:[…] gives those elements, those fields', async () => {
      const body = await get(
        `dataElements:fields=id,name&dataElements:filter=id:in:[${a!.id},${b!.id}]`,
      );
      assert.deepEqual(Object.keys(body).sort(), ['dataElements', 'system']);
      assert.deepEqual(
        body.dataElements!.sort((x, y) => x.id.localeCompare(y.id)),
        [a!, b!].map((d) => ({ id: d.id, name: d.name })).sort((x, y) => x.id.localeCompare(y.id)),
      );
    });

    it('dataElements:order=name:desc with dataElements=true sorts that type', async () => {
      const body = await get(
        `dataElements=true&dataElements:order=name:desc&dataElements:filter=name:$like:${g.prefix}%20&dataElements:fields=name`,
      );
      const names = body.dataElements!.map((d) => d.name!);
      assert.equal(names.length, 6);
      assert.deepEqual(names, [...names].sort().reverse());
      assert.deepEqual(Object.keys(body).sort(), ['dataElements', 'system']);
    });

    it('several types at once, several filters per type, default fields where a type has none', async () => {
      const body = await get(
        [
          'fields=id,code',
          'organisationUnits:filter=level:eq:2',
          `organisationUnits:filter=name:$like:${g.prefix}%20`,
          'organisationUnits:fields=id,level',
          'organisationUnits:order=name:desc',
          `dataElements:filter=code:eq:${c!.code}`,
          'categoryCombos=true',
        ].join('&'),
      );
      assert.deepEqual(Object.keys(body).sort(), [
        'categoryCombos',
        'dataElements',
        'organisationUnits',
        'system',
      ]);
      const level2 = units.filter((u) => u.level === 2);
      assert.deepEqual(
        body.organisationUnits,
        level2
          .sort((x, y) => String(y.name).localeCompare(String(x.name)))
          .map((u) => ({ id: u.id, level: 2 })),
      );
      assert.deepEqual(body.dataElements, [{ id: c!.id, code: c!.code }]);
      // categoryCombos: every one, with the default fields.
      assert.ok(body.categoryCombos!.some((cc) => cc.id === 'bjDvmb4bfuf'));
      assert.ok(body.categoryCombos!.some((cc) => cc.id === g.categoryCombos[0]!.id));
      for (const cc of body.categoryCombos!)
        assert.deepEqual(
          Object.keys(cc).filter((k) => k !== 'id' && k !== 'code'),
          [],
        );
    });

    it("the default filter applies to types without their own; a type's order replaces it", async () => {
      const body = await get(
        [
          `filter=name:$like:${later.prefix}%20`,
          'dataElements=true',
          'categoryCombos=true',
          `categoryCombos:order=name`,
          'fields=id',
        ].join('&'),
      );
      assert.deepEqual(ids(body.dataElements), ids(later.dataElements as Obj[]));
      // DHIS2 queries categoryCombos with its order alone: the default filter does not apply.
      assert.ok(body.categoryCombos!.some((cc) => cc.id === 'bjDvmb4bfuf'));
      assert.ok(body.categoryCombos!.some((cc) => cc.id === g.categoryCombos[0]!.id));
    });

    it('lastUpdated:ge: and id:in:[…] per type narrow by index, with the other filters', async () => {
      const body = await get(
        `dataElements:filter=lastUpdated:ge:${between}&dataElements:filter=code:!eq:${later.dataElements[0]!.code as string}&dataElements:fields=id`,
      );
      assert.deepEqual(body.dataElements, [{ id: later.dataElements[1]!.id }]);
      const all = await get(`dataElements:filter=lastUpdated:ge:${between}`);
      assert.deepEqual(ids(all.dataElements), ids(later.dataElements as Obj[]));
      // Both indexes at once: ids narrowed by date.
      const fresh = later.dataElements[0]!.id as string;
      const both = await get(
        `dataElements:filter=id:in:[${a!.id},${fresh},nope]&dataElements:filter=lastUpdated:ge:${between}`,
      );
      assert.deepEqual(ids(both.dataElements), [fresh]);
      const one = await get(`dataElements:filter=id:eq:${a!.id}&dataElements:fields=id`);
      assert.deepEqual(one.dataElements, [{ id: a!.id }]);
      const none = await get(`dataElements:filter=id:in:[]`);
      assert.equal(none.dataElements, undefined);
    });

    it('filters combine with AND whatever rootJunction says; repeated type keys are read', async () => {
      const body = await get(
        `dataElements=true&dataElements=true&filter=id:eq:${a!.id}&filter=id:eq:${b!.id}&rootJunction=OR`,
      );
      assert.equal(body.dataElements, undefined);
      const one = await get(`dataElements=true&filter=id:eq:${a!.id}&rootJunction=OR`);
      assert.deepEqual(ids(one.dataElements), [a!.id]);
    });

    it('an unknown type in a prefix is ignored; dataElements=false alone selects every type', async () => {
      const body = await get('nope:filter=garbage&dataelements:fields=id&dataElements=false');
      assert.ok(body.dataElements!.length >= 8);
      assert.ok(body.organisationUnits!.length > 0);
    });

    it('a filter DHIS2 refuses is a 409 WebMessage with its message', async () => {
      for (const [query, message] of [
        ['dataElements:filter=name', 'Invalid filter => name'],
        ['dataElements:filter=name:xx:1', '`xx` is not a valid operator.'],
        ['organisationUnits:filter=id:in:a,b', 'Collection size must be integer `a,b`'],
        ['filter=name&dataElements=true', 'Invalid filter => name'],
      ] as const) {
        const r = await getJson(server, `/api/metadata?${query}`);
        assert.equal(r.status, 409, `${query}: ${r.text}`);
        assert.deepEqual(
          { ...r.body },
          { httpStatus: 'Conflict', httpStatusCode: 409, status: 'ERROR', message },
        );
      }
      const fields = await getJson(server, '/api/metadata?dataElements:fields=id,categoryCombo[id');
      assert.equal(fields.status, 400);
      const defaults = await getJson(server, '/api/metadata?defaults=exclude');
      assert.equal(defaults.status, 400);
      assert.equal(
        defaults.body.message,
        'No enum constant org.hisp.dhis.fieldfilter.Defaults.exclude',
      );
    });
  });
}
