/**
 * Who may push data to a metasync central (issue 16 §5), over real HTTP, by DHIS2's rules:
 * registrations and events take any signed-in user (DHIS2's controllers declare no authority),
 * data value sets need F_DATAVALUE_ADD or ALL, and no credentials is 401 everywhere. The sync
 * itself with such a user is in data-push.test.ts.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { installErrorHandler } from '../../src/http/error-handler.ts';
import { requireDataWrite } from '../../src/http/plugins/basic-auth.ts';
import { backends } from '../support/databases.ts';
import { IDS, exportValues, importDataMetadata, value } from '../support/data.ts';
import { useServer, type TestServer } from '../support/server.ts';

type Json = Record<string, unknown>;
type Auth = [string, string] | null;

const SYNC_META: Auth = ['sync-meta', 'Sync-Meta-123!'];
const ENTRY: Auth = ['data-entry', 'Data-Entry-123!'];
const READER: Auth = ['data-reader', 'Data-Reader-123!'];

const post = async (server: TestServer, path: string, body: Json, auth: Auth) => {
  const res = await server.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    auth,
  });
  return { status: res.status, body: (await res.json()) as Json };
};

const registration = (period: string): Json => ({
  completeDataSetRegistrations: [{ dataSet: IDS.dataSet, period, organisationUnit: IDS.ouRoot }],
});
const event = (id: string): Json => ({
  events: [
    {
      event: id,
      program: IDS.program,
      programStage: IDS.stage,
      orgUnit: IDS.ouRoot,
      eventDate: '2020-04-02',
      status: 'ACTIVE',
      dataValues: [{ dataElement: IDS.deText, value: id }],
    },
  ],
});
const values = (period: string, v: string): Json => ({
  dataValues: [value(IDS.deNumber, period, v)],
});
/** The imported count of an ImportSummary (`importCount.imported`) or ImportSummaries (`imported`). */
const imported = (r: { body: Json }) => {
  const s = r.body.response as { imported?: number; importCount?: { imported: number } };
  return s.importCount?.imported ?? s.imported;
};

for (const backend of await backends()) {
  describe(`data push rights on ${backend}`, () => {
    const server = useServer(backend);
    before(async () => {
      await importDataMetadata(server);
      const users = server.instance.services.users;
      await users.create({
        username: SYNC_META[0],
        password: SYNC_META[1],
        authorities: ['F_METADATA_MANAGE'],
      });
      await users.create({
        username: ENTRY[0],
        password: ENTRY[1],
        authorities: ['F_DATAVALUE_ADD'],
      });
      await users.create({
        username: READER[0],
        password: READER[1],
        authorities: ['F_METADATA_EXPORT'],
      });
    });

    const registrations = async () =>
      (
        (await (
          await server.request(`/api/completeDataSetRegistrations?dataSet=${IDS.dataSet}`)
        ).json()) as { completeDataSetRegistrations: Json[] }
      ).completeDataSetRegistrations.map((r) => r.period);
    const eventIds = async () =>
      (
        (await (await server.request(`/api/events?program=${IDS.program}`)).json()) as {
          events: Json[];
        }
      ).events.map((e) => e.event);

    it('takes registrations and events from a user with only F_METADATA_MANAGE, the usual sync user', async () => {
      const reg = await post(
        server,
        '/api/completeDataSetRegistrations',
        registration('202004'),
        SYNC_META,
      );
      assert.equal(reg.status, 200, JSON.stringify(reg.body));
      assert.equal((reg.body.response as Json).status, 'SUCCESS');
      assert.equal(imported(reg), 1);
      const ev = await post(server, '/api/events?strategy=SYNC', event('RightsEvt01'), SYNC_META);
      assert.equal(ev.status, 200, JSON.stringify(ev.body));
      assert.equal((ev.body.response as Json).status, 'SUCCESS');
      assert.equal(imported(ev), 1);
      assert.ok((await registrations()).includes('202004'));
      assert.ok((await eventIds()).includes('RightsEvt01'));
    });

    it('refuses its data values with DHIS2 403 (F_DATAVALUE_ADD), and takes them from a user holding it', async () => {
      const refused = await post(server, '/api/dataValueSets', values('202004', '7'), SYNC_META);
      assert.equal(refused.status, 403);
      assert.equal(
        refused.body.message,
        'Access is denied, requires one Authority from [F_DATAVALUE_ADD]',
      );
      assert.equal(refused.body.errorCode, 'E1006');
      assert.deepEqual(await exportValues(server, `period=202004&orgUnit=${IDS.ouRoot}`), []);

      const ok = await post(server, '/api/dataValueSets', values('202004', '7'), ENTRY);
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(imported(ok), 1);
      // The data entry user pushes the other two as well: no authority is needed for them.
      assert.equal(
        (await post(server, '/api/completeDataSetRegistrations', registration('202005'), ENTRY))
          .status,
        200,
      );
      assert.equal((await post(server, '/api/events', event('RightsEvt02'), ENTRY)).status, 200);
    });

    it('refuses every push without valid credentials with 401, before reading it', async () => {
      for (const auth of [null, [SYNC_META![0], 'Wrong-123!'] as Auth]) {
        for (const [path, body] of [
          ['/api/completeDataSetRegistrations', registration('202006')],
          ['/api/events?strategy=SYNC', event('RightsEvt03')],
          ['/api/dataValueSets', values('202006', '1')],
        ] as const) {
          const r = await post(server, path, body, auth);
          assert.equal(r.status, 401, `${path} as ${auth?.[0] ?? 'anonymous'}`);
          assert.equal(r.body.httpStatusCode, 401);
        }
      }
      assert.ok(!(await registrations()).includes('202006'));
      assert.ok(!(await eventIds()).includes('RightsEvt03'));
      assert.deepEqual(await exportValues(server, `period=202006&orgUnit=${IDS.ouRoot}`), []);
    });

    it('refuses data values from a user without F_DATAVALUE_ADD whatever else it holds', async () => {
      const r = await post(server, '/api/dataValueSets', values('202007', '2'), READER);
      assert.equal(r.status, 403);
      assert.match(String(r.body.message), /\[F_DATAVALUE_ADD\]/);
      assert.deepEqual(await exportValues(server, `period=202007&orgUnit=${IDS.ouRoot}`), []);
    });
  });
}

describe('requireDataWrite outside the authenticated context', () => {
  it('answers 401 when no principal was set, for every push endpoint', async () => {
    const app = Fastify();
    app.decorateRequest('principal', null);
    installErrorHandler(app, 1024);
    for (const endpoint of [
      'dataValueSets',
      'completeDataSetRegistrations',
      'events',
      'trackedEntityInstances',
      'tracker',
    ] as const)
      app.post(`/${endpoint}`, { onRequest: requireDataWrite(endpoint) }, async () => 'written');
    try {
      for (const endpoint of ['dataValueSets', 'events', 'trackedEntityInstances', 'tracker']) {
        const res = await app.inject({ method: 'POST', url: `/${endpoint}`, payload: {} });
        assert.equal(res.statusCode, 401, endpoint);
        assert.notEqual(res.body, 'written');
      }
    } finally {
      await app.close();
    }
  });
});
