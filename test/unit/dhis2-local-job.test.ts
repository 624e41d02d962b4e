/**
 * The DHIS2-local emulator's job against a scripted stand-in central on loopback (issue 16
 * §12): the headers and bodies each release sends, and the job's handling of what a central
 * answers (contract §9, §11, §12): an empty body is nothing whatever the status, 4xx/5xx on a
 * version call are "Client/Server Error…", data.gz is gunzipped only for `application/gzip`,
 * 5xx pushes are retried `syncMaxAttempts` times, a known version name stops the run, and
 * `keyStopMetadataSync` compares `system.version` with the local's build string.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Dhis2Local } from '../support/dhis2-local/index.ts';
import { dataValue, registration } from '../support/dhis2-local/rows.ts';
import { PING_ACCEPT, URLCONNECTION_ACCEPT, basicAuth } from '../support/dhis2-local/wire.ts';

type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;

const SNAPSHOT = JSON.stringify({ system: { version: '2.43.1' }, dataElements: [{ id: 'a' }] });
const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
const ok = {
  httpStatus: 'OK',
  httpStatusCode: 200,
  status: 'OK',
  response: { status: 'SUCCESS', importCount: {} },
};
const item = (name: string, extra = {}) => ({
  name,
  type: 'ATOMIC',
  created: '2024-01-0' + name.slice(-1) + 'T00:00:00.000',
  id: `Id${name.slice(-1).padStart(9, '0')}`,
  hashCode: md5(SNAPSHOT),
  ...extra,
});

/** A central whose answers the test scripts per `METHOD path` (query included). */
function scriptedCentral() {
  const routes = new Map<string, Handler>();
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const defaults = () => {
    routes.clear();
    routes.set('GET /api/system/ping', (_q, _b, res) => res.end('pong'));
    for (const p of ['/api/dataValueSets', '/api/completeDataSetRegistrations'])
      routes.set(`POST ${p}`, (_q, _b, res) => json(res, 200, ok));
    routes.set('GET /api/metadata/version/history', (_q, _b, res) =>
      json(res, 200, { metadataversions: [item('Version_1')] }),
    );
    routes.set('GET /api/metadata/version/Version_1/data.gz', (_q, _b, res) => {
      res.writeHead(200, { 'content-type': 'application/gzip' });
      res.end(gzipSync(SNAPSHOT));
    });
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const h = routes.get(`${req.method} ${req.url}`);
      if (h) h(req, Buffer.concat(chunks).toString('utf8'), res);
      else json(res, 404, { httpStatus: 'Not Found', message: `no ${req.url}` });
    });
  });
  return { server, routes, json, defaults, url: '' };
}

describe('the emulated DHIS2 local against a scripted central', () => {
  const central = scriptedCentral();
  before(async () => {
    await new Promise<void>((r) => central.server.listen(0, '127.0.0.1', r));
    central.url = `http://127.0.0.1:${(central.server.address() as { port: number }).port}`;
  });
  after(() => new Promise<void>((r) => central.server.close(() => r())));
  const local = (build = '2.43.1', extra = {}) =>
    new Dhis2Local({
      release: build,
      remote: { url: central.url, username: 'sync', password: 'pw' },
      ...extra,
    });

  it('sends DHIS2 headers: Basic auth, RestTemplate Accept on pings and pushes, none on HttpClient GETs', async () => {
    central.defaults();
    for (const build of ['2.41.9.1', '2.43.1']) {
      const l = local(build);
      l.queues.dataValues.push(dataValue('202401', '1'));
      const run = await l.runMetadataSync();
      assert.equal(run.status, 'SUCCESS', run.failure ?? '');
      const [ping, push] = run.exchanges;
      assert.equal(ping?.requestHeaders.authorization, basicAuth('sync', 'pw'));
      assert.equal(ping?.requestHeaders.accept, PING_ACCEPT);
      assert.equal(push?.requestHeaders['content-type'], 'application/json');
      assert.equal(push?.requestHeaders.accept, URLCONNECTION_ACCEPT);
      const get = run.exchanges.find((x) => x.url.endsWith('/history'))!;
      assert.equal(get.requestHeaders.accept, undefined);
      assert.equal(
        get.requestHeaders['user-agent'],
        build === '2.43.1' ? '' : 'Apache-HttpClient/4.5.14 (Java/17.0.13)',
      );
    }
  });

  it('writes data values as the release writes them: nulls up to 2.42, left out in 2.43; registration dates as yyyy-MM-dd', async () => {
    central.defaults();
    const bodies: Record<string, string> = {};
    for (const build of ['2.42.5.2', '2.43.1']) {
      const l = local(build);
      l.queues.dataValues.push(dataValue('202401', '1', { storedBy: null, comment: '' }));
      l.queues.registrations.push({ ...registration('202401'), lastUpdatedBy: null });
      const run = await l.runMetadataSync();
      bodies[build] = run.exchanges.find((x) => x.url.endsWith('/api/dataValueSets'))!.requestBody!;
      const cdsr = JSON.parse(
        run.exchanges.find((x) => x.url.endsWith('/completeDataSetRegistrations'))!.requestBody!,
      ) as { completeDataSetRegistrations: Record<string, unknown>[] };
      assert.deepEqual(cdsr.completeDataSetRegistrations[0], {
        dataSet: 'DataSetAgg1',
        period: '202401',
        organisationUnit: 'DataOuRoot1',
        attributeOptionCombo: 'HllvX50cXC0',
        date: '2024-03-05',
        storedBy: 'admin',
        lastUpdated: '2024-03-05',
        completed: true,
      });
    }
    assert.equal(
      bodies['2.42.5.2'],
      '{"dataValues":[{"dataElement":"DataDeNumb1","period":"202401","orgUnit":"DataOuRoot1","categoryOptionCombo":"HllvX50cXC0","attributeOptionCombo":"HllvX50cXC0","value":"1","storedBy":null,"created":"2024-03-05T10:11:12.345+0000","lastUpdated":"2024-03-05T10:11:12.345+0000","comment":"","followup":false}]}',
    );
    assert.equal(
      bodies['2.43.1'],
      '{"dataValues":[{"dataElement":"DataDeNumb1","period":"202401","orgUnit":"DataOuRoot1","categoryOptionCombo":"HllvX50cXC0","attributeOptionCombo":"HllvX50cXC0","value":"1","created":"2024-03-05T10:11:12.345+0000","lastUpdated":"2024-03-05T10:11:12.345+0000","followup":false}]}',
    );
  });

  it('reads an empty history body as no versions whatever the status, and a 4xx with a body as a Client Error', async () => {
    central.defaults();
    central.routes.set('GET /api/metadata/version/history', (_q, _b, res) => {
      res.writeHead(500);
      res.end();
    });
    assert.equal((await local().runMetadataSync()).status, 'SUCCESS');
    central.routes.set('GET /api/metadata/version/history', (_q, _b, res) =>
      central.json(res, 404, 'gone'),
    );
    const run = await local().runMetadataSync();
    assert.equal(run.status, 'FAILURE');
    assert.match(
      run.failure!,
      /ERROR_CATEGORY : getMetadataVersionsList\n ERROR_VALUE : Client Error\. Http call failed with status code: 404 Caused by: gone\n\n/,
    );
  });

  it('gunzips data.gz only when Content-Type contains application/gzip (otherwise the MD5 check fails)', async () => {
    central.defaults();
    central.routes.set('GET /api/metadata/version/Version_1/data.gz', (_q, _b, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(gzipSync(SNAPSHOT));
    });
    const l = local();
    const run = await l.runMetadataSync();
    assert.equal(run.status, 'FAILURE');
    assert.match(
      run.failure!,
      /ERROR_VALUE : Metadata snapshot is corrupted\. Not saving it locally/,
    );
    assert.equal(l.state.settings.keyMetadataFailedVersion, 'Version_1');
    assert.equal(l.state.versions.length, 0);
  });

  it('retries a push answered 5xx syncMaxAttempts times, then fails the registration step before any pull', async () => {
    central.defaults();
    central.routes.set('POST /api/completeDataSetRegistrations', (_q, _b, res) =>
      central.json(res, 503, 'busy'),
    );
    const l = local('2.42.5.2');
    l.queues.registrations.push(registration('202401'));
    const run = await l.runMetadataSync();
    assert.equal(run.exchanges.filter((x) => x.method === 'POST').length, 4);
    assert.ok(!run.exchanges.some((x) => x.url.includes('/metadata/')));
    assert.match(
      run.failure!,
      /ERROR_VALUE : Complete data set registration synchronization failed\./,
    );
  });

  it('stops at a version whose name it already has, with the failure e-mail and no exception', async () => {
    central.defaults();
    const l = local();
    assert.equal((await l.runMetadataSync()).status, 'SUCCESS');
    central.routes.set('GET /api/metadata/version/history?baseline=Version_1', (_q, _b, res) =>
      central.json(res, 200, { metadataversions: [item('Version_1', { hashCode: 'other' })] }),
    );
    const run = await l.runMetadataSync();
    assert.equal(run.attempts, 1);
    assert.match(
      run.failure!,
      /ERROR_VALUE : Version already exists in system and hence stopping the sync\n\nERROR_CATEGORY : version\n ERROR_VALUE : MetadataVersion\{importDate=null, type=ATOMIC, name='Version_1', hashCode='other'\}/,
    );
  });

  it('with keyStopMetadataSync refuses a snapshot whose system.version is not its own build string', async () => {
    central.defaults();
    const refused = local('2.43.0', { stopOnVersionMismatch: true });
    const run = await refused.runMetadataSync();
    assert.match(
      run.failure!,
      /ERROR_VALUE : Metadata sync failed because your version of DHIS does not match the master version/,
    );
    assert.equal(refused.state.snapshots.size, 0, 'before 2.43.1 a refused snapshot is not kept');
    const same = local('2.43.1', { stopOnVersionMismatch: true });
    assert.equal((await same.runMetadataSync()).status, 'SUCCESS');
    assert.deepEqual(
      same.state.versions.map((v) => v.name),
      ['Version_1'],
    );
  });
});
