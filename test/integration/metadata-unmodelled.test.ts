/**
 * DHIS2 metadata types metasync stores without modelling them (issue 16 §8), through
 * `POST /api/metadata`: what validation they get (a JSON object, a valid uid, a code unique per
 * type; no reference checks), what they reference cannot be deleted under them and what
 * references them blocks their deletion, they are read (not written) per type, and DHIS2's
 * write-only secrets are not stored.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backends } from '../support/databases.ts';
import { dhis2Unmodelled } from '../support/dhis2-unmodelled.ts';
import { errorCodes, getObject, importOk, postMetadata, send } from '../support/metadata.ts';
import { useServer } from '../support/server.ts';
import { uid } from '../support/versions.ts';

type Json = Record<string, unknown>;

for (const backend of await backends()) {
  describe(`unmodelled metadata types on ${backend}`, () => {
    const server = useServer(backend);

    it('validation: a JSON object with a valid uid and a code unique per type; references are not checked', async () => {
      const bad = await postMetadata(server, {
        dataApprovalLevels: [{ id: 'not a uid', name: 'x' }],
      });
      assert.deepEqual(errorCodes(bad.report), ['E4014']);
      const notObject = await postMetadata(server, { dataApprovalLevels: [42] });
      assert.deepEqual(errorCodes(notObject.report), ['E4061']);
      const code = `DUP_${uid()}`;
      const dup = await postMetadata(server, {
        dataApprovalLevels: [
          { id: uid(), code, name: 'one', level: 1 },
          { id: uid(), code, name: 'two', level: 2 },
        ],
      });
      assert.deepEqual(errorCodes(dup.report), ['E5003']);
      assert.equal(dup.httpStatus, 409);

      // A workflow pointing at levels that exist nowhere is stored as given (no reference check),
      // and an object without an id gets one.
      const wf = {
        id: uid(),
        name: `Dangling ${uid()}`,
        periodType: 'Monthly',
        dataApprovalLevels: [{ id: uid() }],
      };
      const noId = { name: `No id ${uid()}`, level: 3, orgUnitLevel: 3 };
      const report = await importOk(server, {
        dataApprovalWorkflows: [wf],
        dataApprovalLevels: [noId],
      });
      assert.equal(report.stats.created, 2);
      assert.deepEqual(await getObject(server, 'dataApprovalWorkflows', wf.id), wf);
      const listed = await send(
        server,
        'GET',
        `/api/dataApprovalLevels?paging=false&fields=:all&filter=name:eq:${encodeURIComponent(noId.name)}`,
      );
      const found = (listed.body as unknown as { dataApprovalLevels: Json[] }).dataApprovalLevels;
      assert.equal(found.length, 1);
      assert.match(String(found[0]!.id), /^[a-zA-Z][a-zA-Z0-9]{10}$/);
      assert.deepEqual({ ...found[0], id: undefined }, { ...noId, id: undefined });
    });

    it('deletion: blocked while referenced (by a modelled or an opaque object) and what they reference cannot go; together they go', async () => {
      const u = dhis2Unmodelled('Delete');
      await importOk(server, u.metadata);
      const del = (body: Json) => postMetadata(server, body, { importStrategy: 'DELETE' });
      // A level referenced by the (opaque) workflow, the workflow referenced by the data set.
      for (const body of [
        { dataApprovalLevels: [{ id: u.ids.level1 }] },
        { dataApprovalWorkflows: [{ id: u.ids.workflow }] },
        // A modelled org unit referenced by an opaque map view.
        { organisationUnits: [{ id: u.ids.orgUnit }] },
      ]) {
        const r = await del(body);
        assert.deepEqual(errorCodes(r.report), ['E4030'], JSON.stringify(body));
      }
      // The data set, its notification template, the workflow and its levels, in one payload.
      const r = await del({
        dataSets: [{ id: u.ids.dataSet }],
        dataSetNotificationTemplates: [{ id: u.ids.template }],
        dataApprovalWorkflows: [{ id: u.ids.workflow }],
        dataApprovalLevels: [{ id: u.ids.level1 }, { id: u.ids.level2 }],
      });
      assert.equal(r.report.status, 'OK', r.text.slice(0, 2000));
      assert.equal(r.report.stats.deleted, 5);
      assert.equal(await getObject(server, 'dataApprovalWorkflows', u.ids.workflow), null);
    });

    it('per type they are read, not written: POST, PUT and DELETE answer 405', async () => {
      const u = dhis2Unmodelled('Routes');
      await importOk(server, u.metadata);
      const id = u.ids.workflow;
      const listed = await send(server, 'GET', '/api/dataApprovalWorkflows?fields=id,name');
      assert.equal(listed.status, 200);
      for (const [method, path] of [
        ['POST', '/api/dataApprovalWorkflows'],
        ['PUT', `/api/dataApprovalWorkflows/${id}`],
        ['DELETE', `/api/dataApprovalWorkflows/${id}`],
      ] as const) {
        const r = await send(server, method, path, method === 'DELETE' ? undefined : { name: 'x' });
        assert.equal(r.status, 405, `${method} ${path}: ${r.text}`);
      }
      assert.ok(await getObject(server, 'dataApprovalWorkflows', id));
    });

    it('DHIS2’s write-only secrets (route and event hook credentials) are not stored; skipSharing drops sharing', async () => {
      const route = {
        id: uid(),
        code: `ROUTE_${uid()}`,
        name: `Route ${uid()}`,
        url: 'https://api.example.org/**',
        auth: { type: 'http-basic', username: 'svc', password: 'S3cret!' },
        headers: { 'x-client': 'metasync' },
      };
      const hook = {
        id: uid(),
        name: `Hook ${uid()}`,
        source: { path: 'metadata', fields: 'id' },
        targets: [
          {
            type: 'webhook',
            url: 'https://hooks.example.org',
            auth: { type: 'api-headers', headers: { 'x-api-key': 'k3y' } },
          },
          { type: 'kafka', clientId: 'c', username: 'u', password: 'p4ss' },
        ],
        sharing: { public: 'rw------' },
      };
      await importOk(server, { routes: [route], eventHooks: [hook] }, { skipSharing: 'true' });
      const storedRoute = await getObject(server, 'routes', route.id);
      assert.deepEqual(storedRoute, { ...route, auth: { type: 'http-basic', username: 'svc' } });
      const storedHook = await getObject(server, 'eventHooks', hook.id);
      assert.deepEqual(storedHook, {
        id: hook.id,
        name: hook.name,
        source: hook.source,
        targets: [
          { type: 'webhook', url: 'https://hooks.example.org', auth: { type: 'api-headers' } },
          { type: 'kafka', clientId: 'c', username: 'u' },
        ],
      });
      const exported = await send(server, 'GET', '/api/metadata?routes=true&eventHooks=true');
      assert.ok(!/S3cret|k3y|p4ss/.test(exported.text));
    });
  });
}
