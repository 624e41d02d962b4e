/**
 * Bad input to POST /api/metadata on both backends (issue 4 §7): malformed JSON, wrong shapes,
 * bodies over the limit (also as gzip bombs), corrupt gzip, pathological nesting, values past
 * the database's index limits. Each gets a 4xx WebMessage or an import-report error, never a
 * 500, and nothing is written; the server keeps answering. Wrong JSON types, duplicate and
 * invalid ids, unknown type keys and non-metadata keys are the planner's and parser's rules:
 * unit tests over the in-memory stores (test/unit/import-metadata.test.ts).
 *
 * The limit is 256 KiB rather than 64 KiB so that a 100,000-deep array (200 KB) reaches the
 * JSON parser instead of being refused for its size.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { backends } from '../support/databases.ts';
import { generateMetadata, payload, uidSource } from '../support/generate-metadata.ts';
import {
  changeSeq,
  errorCodes,
  errorReports,
  importOk,
  postMetadata,
  type WebMessageJson,
} from '../support/metadata.ts';
import { useServer } from '../support/server.ts';

const LIMIT = 256 * 1024;
const uid = uidSource(555);
const dataElement = (extra: Record<string, unknown> = {}) => ({
  id: uid(),
  name: `Bad input DE ${uid()}`,
  shortName: `BI ${uid()}`,
  valueType: 'NUMBER',
  aggregationType: 'SUM',
  domainType: 'AGGREGATE',
  ...extra,
});

for (const backend of await backends()) {
  describe(`metadata bad input on ${backend}`, () => {
    const server = useServer(backend, { maxRequestBytes: LIMIT });

    const raw = async (body: string | Buffer, headers: Record<string, string> = {}) => {
      const res = await server.request('/api/metadata', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      const text = await res.text();
      return { status: res.status, text, body: JSON.parse(text) as WebMessageJson };
    };
    /** Runs a bad request; nothing may be written and the server must still answer. */
    const rejected = async <T>(send: () => Promise<T>): Promise<T> => {
      const seq = await changeSeq(server);
      const result = await send();
      assert.equal(await changeSeq(server), seq, 'a rejected request wrote something');
      const ping = await server.request('/api/system/ping');
      assert.equal(ping.status, 200);
      return result;
    };
    const assertWebMessage = (r: { status: number; body: WebMessageJson }, status: number) => {
      assert.equal(r.status, status, JSON.stringify(r.body).slice(0, 500));
      assert.equal(r.body.httpStatusCode, status);
      assert.equal(r.body.status, 'ERROR');
      assert.equal(typeof r.body.message, 'string');
    };

    it('answers malformed JSON with a 400 WebMessage', async () => {
      const r = await rejected(() => raw('{"dataElements": [{"id": "abc"'));
      assertWebMessage(r, 400);
      assert.equal(r.body.errorCode, 'E1003');
    });

    it('answers a body that is an array, or a type key that is not an array, with 400', async () => {
      for (const body of [
        '[]',
        '[{"dataElements": []}]',
        '{"dataElements": {}}',
        '{"dataElements": "x"}',
        '"text"',
        'null',
      ])
        assertWebMessage(await rejected(() => raw(body)), 400);
    });

    it('refuses a body over the limit with 413', async () => {
      const big = JSON.stringify({
        dataElements: [dataElement({ description: 'x'.repeat(LIMIT) })],
      });
      assertWebMessage(await rejected(() => raw(big)), 413);
    });

    it('accepts a gzip body', async () => {
      const g = generateMetadata(71);
      const r = await raw(gzipSync(JSON.stringify(payload(g))), { 'content-encoding': 'gzip' });
      assert.equal(r.status, 200, r.text.slice(0, 500));
      assert.equal((r.body.response as { status: string }).status, 'OK');
    });

    it('refuses a gzip bomb (50 MB of zeros) with 413, and keeps answering', async () => {
      const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, '0'), { level: 9 });
      assert.ok(bomb.length < LIMIT);
      assertWebMessage(await rejected(() => raw(bomb, { 'content-encoding': 'gzip' })), 413);
      const json = gzipSync(`{"dataElements": [], "x": "${'0'.repeat(50 * 1024 * 1024)}"}`);
      assertWebMessage(await rejected(() => raw(json, { 'content-encoding': 'gzip' })), 413);
    });

    it('answers a corrupt gzip body with 400, an unknown encoding with 415', async () => {
      const good = gzipSync(JSON.stringify({ dataElements: [dataElement()] }));
      const corrupt = Buffer.concat([
        good.subarray(0, 20),
        Buffer.from('garbage-garbage'),
        good.subarray(20),
      ]);
      assertWebMessage(await rejected(() => raw(corrupt, { 'content-encoding': 'gzip' })), 400);
      assertWebMessage(
        await rejected(() =>
          raw(good.subarray(0, good.length - 10), { 'content-encoding': 'gzip' }),
        ),
        400,
      );
      assertWebMessage(await rejected(() => raw('{}', { 'content-encoding': 'br' })), 415);
    });

    it('survives pathological nesting: 400 or E4061, never 500', async () => {
      const deepObject = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
      const inElement = `{"dataElements": [${JSON.stringify(dataElement()).slice(0, -1)}, "attributeValues": ${deepObject}}]}`;
      const deepArray = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      assertWebMessage(await rejected(() => raw(deepArray)), 400);
      for (const body of [
        inElement,
        `{"dataElements": ${deepArray}}`,
        `{"dataElements": [{"id": "${uid()}", "x": ${deepArray}}]}`,
      ]) {
        const r = await rejected(() => raw(body));
        assert.ok([400, 409].includes(r.status), `status ${r.status}`);
        if (r.status === 409)
          assert.deepEqual(errorCodes(r.body.response as Parameters<typeof errorCodes>[0]), [
            'E4061',
          ]);
      }
    });

    it("refuses names, codes and usernames past DHIS2's lengths with E4001, not a 500", async () => {
      // Past PostgreSQL's btree row limit (~2,700 bytes) these failed the index write with a 500.
      const long = 'N'.repeat(3000);
      for (const [body, property, length] of [
        [{ dataElements: [dataElement({ name: long })] }, 'name', 3000],
        [{ dataElements: [dataElement({ code: 'C'.repeat(51) })] }, 'code', 51],
        [{ categoryOptions: [{ id: uid(), name: `é${long}`, shortName: 'long' }] }, 'name', 3001],
        [
          { users: [{ id: uid(), username: 'u'.repeat(3000), firstName: 'A', surname: 'B' }] },
          'username',
          3000,
        ],
      ] as const) {
        const r = await rejected(() => postMetadata(server, body));
        assert.equal(r.httpStatus, 409, r.text.slice(0, 500));
        const [e] = errorReports(r.report).filter((x) => x.errorCode === 'E4001');
        assert.equal(e?.errorProperty, property, r.text.slice(0, 500));
        assert.match(e!.message, new RegExp(`is \\d+, but given length was ${length}$`));
      }
      // DHIS2's longest real values (230 and 50, DATIM) still import.
      await importOk(server, {
        dataElements: [dataElement({ name: 'n'.repeat(230), code: 'c'.repeat(50) })],
      });
    });

    it('logged no internal error for any of it', () => {
      const errors = server.logs.lines.filter((l) => Number(l.level) >= 50);
      assert.deepEqual(errors, []);
      const statuses = server.logs.lines.map((l) => (l.res as { statusCode?: number })?.statusCode);
      assert.ok(!statuses.some((s) => s !== undefined && s >= 500));
    });
  });
}
