/**
 * A large POST /api/metadata body is read as a stream and imported type by type (issue 18 §1).
 * Two servers per backend get the same requests: one parses every body whole (the default
 * threshold), the other streams every body (threshold 0). Answers, reports and stored objects
 * must be the same: creates, VALIDATE, an ATOMIC failure, BEST_EFFORT, UPDATE, DELETE, a user
 * payload refused by the escalation rule, malformed JSON, a non-object body, a body over the
 * limit (declared, and as gzip of unknown length).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { generateMetadata, payload, uidSource } from '../support/generate-metadata.ts';
import { changeSeq } from '../support/metadata.ts';
import { startServer, type TestServer } from '../support/server.ts';

const LIMIT = 512 * 1024;
const IMPORTER: [string, string] = ['streamed-importer', 'Streamed-import-1!'];
const uid = uidSource(1818);

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** Drops what differs between two servers by nature: timestamps. */
const stable = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(stable)
    : typeof v === 'object' && v !== null
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([k]) => !['created', 'lastUpdated', 'date'].includes(k))
            .map(([k, x]) => [k, stable(x)]),
        )
      : v;

for (const backend of await backends()) {
  describe(`POST /api/metadata streamed or whole on ${backend}`, () => {
    const dbs: TestDatabase[] = [];
    let whole: TestServer;
    let streamed: TestServer;
    before(async () => {
      for (let i = 0; i < 2; i++) dbs.push(await createTestDatabase(backend));
      whole = await startServer(dbs[0]!, { maxRequestBytes: LIMIT });
      streamed = await startServer(dbs[1]!, { maxRequestBytes: LIMIT, streamedImportBytes: 0 });
      for (const s of [whole, streamed])
        await s.instance.services.users.create({
          username: IMPORTER[0],
          password: IMPORTER[1],
          authorities: ['F_METADATA_IMPORT'],
        });
    });
    after(async () => {
      for (const s of [whole, streamed]) await s?.stop();
      for (const d of dbs) await d.dispose();
    });

    const post = async (
      s: TestServer,
      body: string | Buffer,
      query: Record<string, string>,
      headers: Record<string, string>,
      auth?: [string, string],
    ): Promise<Answer> => {
      const qs = new URLSearchParams(query).toString();
      const res = await s.request(`/api/metadata${qs ? `?${qs}` : ''}`, {
        method: 'POST',
        auth,
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    /** Sends the same request to both servers; their answers must be the same. */
    const both = async (
      body: unknown,
      query: Record<string, string> = {},
      opts: { headers?: Record<string, string>; auth?: [string, string]; gzip?: boolean } = {},
    ): Promise<Answer> => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      const bytes = opts.gzip ? gzipSync(text) : text;
      const headers = { ...opts.headers, ...(opts.gzip ? { 'content-encoding': 'gzip' } : {}) };
      const a = await post(whole, bytes, query, headers, opts.auth);
      const b = await post(streamed, bytes, query, headers, opts.auth);
      assert.equal(b.status, a.status, JSON.stringify(b.body).slice(0, 1000));
      if (a.status === 200) assert.deepEqual(stable(b.body), stable(a.body));
      else
        for (const k of ['httpStatusCode', 'status', 'errorCode'])
          assert.equal(b.body[k], a.body[k], `${k}: ${JSON.stringify(b.body)}`);
      return a;
    };
    const stored = async (s: TestServer) => {
      const res = await s.request('/api/metadata');
      const all = (await res.json()) as Record<string, unknown>;
      // The importer's user and role were made with fresh ids on each server (changeSeq checks
      // that the refused payload wrote neither).
      for (const k of ['system', 'users', 'userRoles']) delete all[k];
      return stable(all);
    };
    const sameStore = async () => {
      assert.deepEqual(await stored(streamed), await stored(whole));
      assert.equal(await changeSeq(streamed), await changeSeq(whole));
    };
    const statusOf = (a: Answer) => (a.body.response as { status: string }).status;

    const g = generateMetadata(1818);
    const dataElement = (extra: Record<string, unknown> = {}) => {
      const id = uid();
      return {
        id,
        name: `Streamed DE ${id}`,
        shortName: `SDE ${id}`,
        valueType: 'NUMBER',
        aggregationType: 'SUM',
        domainType: 'AGGREGATE',
        categoryCombo: { id: g.categoryCombos[0]!.id },
        ...extra,
      };
    };

    it('creates the same objects, with forward references and a skipped key', async () => {
      // Key order not import order: data elements before the category combos they reference.
      const body = { dataElements: g.dataElements, ...payload(g), notAType: [{ id: uid() }] };
      const a = await both(body);
      assert.equal(statusOf(a), 'WARNING');
      await sameStore();
    });

    it('validates without writing, reporting the same errors and indexes', async () => {
      const bad = [dataElement(), dataElement({ code: g.dataElements[0]!.code }), dataElement()];
      const seq = await changeSeq(whole);
      const a = await both({ dataElements: bad }, { importMode: 'VALIDATE' });
      assert.equal(statusOf(a), 'ERROR');
      const n = await both({ dataElements: bad }, { importMode: 'VALIDATE', atomicMode: 'NONE' });
      assert.equal(statusOf(n), 'WARNING');
      const report = JSON.stringify(n.body.response);
      assert.match(report, /"index":1/);
      assert.match(report, /"errorCode":"E5003"/);
      assert.equal(await changeSeq(whole), seq);
      await sameStore();
    });

    it('rolls an ATOMIC failure back whole, and imports BEST_EFFORT the rest', async () => {
      const body = {
        categoryOptions: [{ id: uid(), name: `Streamed CO ${uid()}`, shortName: `SCO ${uid()}` }],
        dataElements: [dataElement(), dataElement({ code: g.dataElements[1]!.code })],
      };
      const seq = await changeSeq(whole);
      const a = await both(body);
      assert.equal(a.status, 409);
      assert.equal(statusOf(a), 'ERROR');
      assert.equal(await changeSeq(whole), seq);
      await sameStore();
      assert.equal(statusOf(await both(body, { atomicMode: 'NONE' })), 'WARNING');
      await sameStore();
    });

    it('updates, then deletes, the same way', async () => {
      const renamed = g.dataElements.map((d) => ({ ...d, name: `${String(d.name)} renamed` }));
      assert.equal(
        statusOf(await both({ dataElements: renamed }, { importStrategy: 'UPDATE' })),
        'OK',
      );
      await sameStore();
      // The payload's own data elements reference its category combo: deleted first.
      const gone = {
        categoryCombos: [{ id: g.categoryCombos[0]!.id }],
        dataElements: g.dataElements.slice(0, 2).map((d) => ({ id: d.id })),
      };
      await both(gone, { importStrategy: 'DELETE' });
      await sameStore();
    });

    it('refuses a user payload beyond the caller, before writing anything', async () => {
      const role = { id: uid(), name: `Streamed admins ${uid()}`, authorities: ['ALL'] };
      const user = {
        id: uid(),
        username: `evil-${uid().toLowerCase()}`,
        firstName: 'E',
        surname: 'V',
        password: 'Evil-user-123!',
        userRoles: [{ id: role.id }],
      };
      const seq = await changeSeq(whole);
      const a = await both(
        {
          categoryOptions: [{ id: uid(), name: `X ${uid()}`, shortName: `X ${uid()}` }],
          users: [user],
          userRoles: [role],
        },
        {},
        { auth: IMPORTER },
      );
      assert.equal(a.status, 403);
      assert.equal(await changeSeq(whole), seq);
      await sameStore();
    });

    it('answers malformed JSON, non-objects and bodies over the limit alike', async () => {
      const seq = await changeSeq(whole);
      assert.equal((await both('{"dataElements": [{"id": "abc"')).status, 400);
      assert.equal((await both('{"dataElements": [1,,2]}')).status, 400);
      assert.equal((await both('[]')).status, 400);
      assert.equal((await both('{"dataElements": {}}')).status, 400);
      const big = { dataElements: [dataElement({ description: 'x'.repeat(LIMIT) })] };
      assert.equal((await both(big)).status, 413);
      assert.equal((await both(big, {}, { gzip: true })).status, 413);
      assert.equal(await changeSeq(whole), seq);
      await sameStore();
      // And a gzip body of unknown length under the limit imports.
      const more = { dataElements: [dataElement()] };
      assert.equal(statusOf(await both(more, {}, { gzip: true })), 'OK');
      await sameStore();
    });
  });
}
