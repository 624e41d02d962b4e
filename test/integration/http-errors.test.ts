/** Every error is a DHIS2 WebMessage with the right status, over real HTTP, on both backends (issue 3 §6). */
import assert from 'node:assert/strict';
import { STATUS_CODES } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { startServer, type TestServer } from '../support/server.ts';

interface ErrorBody {
  httpStatus: string;
  httpStatusCode: number;
  status: string;
  message: string;
  errorCode?: string;
  response?: unknown;
}

const WEB_MESSAGE_KEYS = new Set([
  'httpStatus',
  'httpStatusCode',
  'status',
  'message',
  'errorCode',
  'response',
]);

/** Asserts the exact status, the JSON WebMessage envelope and its errorCode (or its absence). */
async function expectError(
  res: Response,
  status: number,
  errorCode: string | undefined,
): Promise<ErrorBody> {
  const text = await res.text();
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const body = JSON.parse(text) as ErrorBody;
  for (const key of Object.keys(body)) assert.ok(WEB_MESSAGE_KEYS.has(key), `extra key ${key}`);
  assert.equal(body.httpStatusCode, status);
  assert.equal(body.httpStatus, STATUS_CODES[status]);
  assert.equal(body.status, 'ERROR');
  assert.equal(typeof body.message, 'string');
  assert.ok(body.message.length > 0);
  assert.equal(body.errorCode, errorCode);
  return body;
}

const json = { 'content-type': 'application/json' };

for (const backend of await backends()) {
  describe(`client errors on ${backend}`, () => {
    // One server per describe (a PGlite instance costs ~2 s); a 1 KB body limit serves the 413
    // check, and every other request here is far smaller.
    let database: TestDatabase;
    let server: TestServer;
    before(async () => {
      database = await createTestDatabase(backend);
      server = await startServer(database, { maxRequestBytes: 1024 });
    });
    after(async () => {
      await server.stop();
      await database.dispose();
    });

    const settings = async () =>
      (await (await server.request('/api/systemSettings')).json()) as Record<string, unknown>;

    it('answers malformed JSON with 400 E1003 and changes nothing', async () => {
      const before = await settings();
      const res = await server.request('/api/systemSettings', {
        method: 'POST',
        headers: json,
        body: '{bad',
      });
      const body = await expectError(res, 400, 'E1003');
      assert.match(body.message, /^Malformed JSON body/);
      assert.deepEqual(await settings(), before);
    });

    it('answers an empty JSON body with 400 E1003', async () => {
      const res = await server.request('/api/systemSettings', {
        method: 'POST',
        headers: json,
        body: '',
      });
      await expectError(res, 400, 'E1003');
    });

    it('answers an unknown route with 404 E1005', async () => {
      const body = await expectError(await server.request('/api/nope'), 404, 'E1005');
      assert.equal(body.message, 'No resource at GET /api/nope');
    });

    it('answers a known path with the wrong method with 405 and an Allow header', async () => {
      for (const [method, path] of [
        ['PUT', '/api/system/ping'],
        ['DELETE', '/api/system/info'],
        ['PATCH', '/api/system/info?x=1'],
      ] as const) {
        const res = await server.request(path, { method });
        const allow = (res.headers.get('allow') ?? '').split(/,\s*/);
        const body = await expectError(res, 405, undefined);
        assert.ok(allow.includes('GET'), `Allow: ${allow.join(', ')}`);
        assert.ok(!allow.includes(method));
        assert.equal(
          body.message,
          `Request method '${method}' is not supported for ${path.split('?')[0]}`,
        );
      }
    });

    it('answers a body over server.max.request.size with 413 and changes nothing', async () => {
      const before = await settings();
      const big = JSON.stringify({ applicationTitle: 'x'.repeat(2048) });
      const res = await server.request('/api/systemSettings', {
        method: 'POST',
        headers: json,
        body: big,
      });
      const body = await expectError(res, 413, undefined);
      assert.equal(body.message, 'Request body is larger than the limit of 1024 bytes');
      assert.deepEqual(await settings(), before);
      // Just under the limit is accepted.
      const ok = await server.request('/api/systemSettings', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ applicationTitle: 'y'.repeat(900) }),
      });
      assert.equal(ok.status, 200);
      assert.equal((await settings()).applicationTitle, 'y'.repeat(900));
    });

    it('answers an unsupported media type with 415', async () => {
      const res = await server.request('/api/systemSettings', {
        method: 'POST',
        headers: { 'content-type': 'application/xml' },
        body: '<settings><applicationTitle>x</applicationTitle></settings>',
      });
      const body = await expectError(res, 415, undefined);
      assert.match(body.message, /^Unsupported media type/);
    });

    it('answers schema violations with 400 E1003 and the failing path', async () => {
      const arr = await server.request('/api/systemSettings', {
        method: 'POST',
        headers: json,
        body: '["keyVersionEnabled", true]',
      });
      const arrBody = await expectError(arr, 400, 'E1003');
      assert.match(arrBody.message, /^Invalid body: /);
      const scalar = await server.request('/api/systemSettings', {
        method: 'POST',
        headers: json,
        body: '42',
      });
      await expectError(scalar, 400, 'E1003');
      const twice = await server.request('/api/systemSettings/applicationTitle?value=a&value=b', {
        method: 'POST',
      });
      const twiceBody = await expectError(twice, 400, 'E1003');
      assert.match(twiceBody.message, /^Invalid querystring\.value: /);
    });

    it('answers an over-long or badly encoded path parameter with a 400 WebMessage', async () => {
      // The router refuses these before any handler runs (maxParamLength 100, bad %-encoding).
      const long = await server.request(`/api/systemSettings/${'k'.repeat(201)}`);
      await expectError(long, 400, 'E1003');
      const bad = await server.request('/api/systemSettings/%zz');
      await expectError(bad, 400, 'E1003');
      // A shorter unknown key reaches the settings service.
      const unknown = await server.request(`/api/systemSettings/${'k'.repeat(90)}`);
      const body = await expectError(unknown, 400, 'E1003');
      assert.equal(body.message, `Setting does not exist: ${'k'.repeat(90)}`);
    });

    it('returns an x-request-id header on errors and successes alike', async () => {
      const err = await server.request('/api/nope');
      const ok = await server.request('/api/system/ping');
      const ids = [err.headers.get('x-request-id'), ok.headers.get('x-request-id')];
      for (const id of ids) assert.match(id ?? '', /^[0-9a-f-]{36}$/);
      assert.notEqual(ids[0], ids[1]);
    });
  });

  describe(`server faults on ${backend}`, () => {
    let database: TestDatabase;
    let server: TestServer;
    before(async () => {
      database = await createTestDatabase(backend);
      server = await startServer(database);
      // Make sure the server works before it is broken on purpose.
      assert.equal((await server.request('/api/systemSettings')).status, 200);
      assert.equal((await server.request('/api/health', { auth: null })).status, 200);
      await server.instance.database.close();
    });
    after(async () => {
      await server.stop();
      await database.dispose();
    });

    it('answers 500 with a generic message naming the request id, details only in the log', async () => {
      const res = await server.request('/api/systemSettings');
      const id = res.headers.get('x-request-id');
      assert.match(id ?? '', /^[0-9a-f-]{36}$/);
      const body = await expectError(res, 500, undefined);
      assert.equal(
        body.message,
        `An internal error occurred; see the server log for request ${id}`,
      );
      assert.equal(body.response, undefined);
      const text = JSON.stringify(body);
      for (const leak of [
        /\bat\s/,
        /\.ts\b/,
        /node_modules/,
        /closed|destroyed/i,
        /pglite|pool|kysely/i,
      ])
        assert.doesNotMatch(text, leak);

      const logged = server.logs.lines.filter((l) => l.reqId === id && l.level === 50);
      assert.equal(
        logged.length,
        1,
        JSON.stringify(server.logs.lines.filter((l) => l.reqId === id)),
      );
      const err = logged[0]!.err as { message?: string; stack?: string } | undefined;
      assert.ok(err?.message, 'the log has the error message');
      assert.ok(err.stack, 'the log has the stack');
    });

    it('answers /api/health with 503 and no authentication', async () => {
      const res = await server.request('/api/health', { auth: null });
      const body = await expectError(res, 503, undefined);
      assert.equal(body.message, 'Database is not reachable');
      const id = res.headers.get('x-request-id');
      assert.ok(server.logs.lines.some((l) => l.reqId === id && l.level === 50));
    });
  });
}
