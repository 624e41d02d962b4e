/**
 * SQL injection and path traversal on every parameter (issue 10 §4). The parameters come from
 * the running app's own OpenAPI document (every route's path and query schema), plus DHIS2's
 * free-form ones (filter, fields, order, type selectors of the export); each gets every payload
 * of test/support/security-payloads.ts, encoded and raw, as the admin (so nothing stops at the
 * authority check). No answer may be a 5xx, show a stack, SQL or file content, take as long as
 * an injected pg_sleep, or match more than the filter says; the database must be unchanged.
 * Then the web UI's file server and its fallback get the traversal paths.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { METADATA_TYPES } from '../../src/domain/metadata/types.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import {
  FEW_PAYLOADS,
  PAYLOADS,
  forbiddenIn,
  rawRequest,
  valueForms,
  type RawAnswer,
} from '../support/security-payloads.ts';
import { databaseFingerprint } from '../support/security-routes.ts';
import { ADMIN_PASSWORD, basic, startServer, type TestServer } from '../support/server.ts';
import { centralBackend } from '../support/sync.ts';
import { uid } from '../support/versions.ts';

/** Types that get every payload; the other types run the same code and get a few. */
const REPRESENTATIVE = new Set(['dataElements', 'users', 'organisationUnits', 'userRoles']);
const TYPE_KEYS = new Set(METADATA_TYPES.map((t) => t.key));
const DE = uid();
/** Required query parameters filled with harmless, well-formed values. */
const REQUIRED_QUERY: Record<string, Record<string, string>> = {
  '/api/dataValues': { de: DE, pe: '202401', ou: uid() },
};
/** Routes whose normal work writes (a sync report, a fleet entry): run after the write check. */
const WRITING = new Set(['GET /api/metadata/sync']);

interface Target {
  method: string;
  url: string; // fastify form, `:id`
  param: string;
  location: 'path' | 'query';
  forms: string[];
}

interface OpenApiOperation {
  parameters?: { in: string; name: string }[];
}

const typeOf = (url: string) => url.split('/')[2] ?? '';

{
  const backend = await centralBackend();
  describe(`injection and traversal on ${backend}`, () => {
    let database: TestDatabase;
    let server: TestServer;
    let version = '';
    const headers = { authorization: basic('admin', ADMIN_PASSWORD) };

    before(async () => {
      database = await createTestDatabase(backend);
      server = await startServer(database);
      // Something to find: a data element, and a version holding it.
      const res = await server.request('/api/metadata', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          dataElements: [
            {
              id: DE,
              name: 'Injection target',
              shortName: 'Injection target',
              valueType: 'NUMBER',
              aggregationType: 'SUM',
              domainType: 'AGGREGATE',
            },
          ],
        }),
      });
      assert.equal(res.status, 200, await res.text());
      await server.request('/api/systemSettings/keyVersionEnabled?value=true', { method: 'POST' });
      const created = await server.request('/api/metadata/version/create?type=BEST_EFFORT', {
        method: 'POST',
      });
      assert.equal(created.status, 200);
      version = ((await created.json()) as { name: string }).name;
    });
    after(async () => {
      await server.stop();
      await database.dispose();
    });

    /** Every (route, parameter), from the app's OpenAPI document plus the free-form ones. */
    function targets(): Target[] {
      const doc = server.instance.app.swagger() as {
        paths: Record<string, Record<string, OpenApiOperation>>;
      };
      const out: Target[] = [];
      for (const [oaPath, ops] of Object.entries(doc.paths)) {
        const url = oaPath.replace(/\{(\w+)\}/g, ':$1');
        const payloads =
          TYPE_KEYS.has(typeOf(url)) && !REPRESENTATIVE.has(typeOf(url)) ? FEW_PAYLOADS : PAYLOADS;
        for (const [method, op] of Object.entries(ops)) {
          const params = (op.parameters ?? []).map((p) => ({ name: p.name, location: p.in }));
          // DHIS2's free-form parameters the schemas take as plain strings or catch-alls.
          if (url === '/api/metadata' && method === 'get')
            params.push(
              { name: 'dataElements', location: 'query' },
              { name: 'users', location: 'query' },
            );
          for (const p of params) {
            if (p.location !== 'path' && p.location !== 'query') continue;
            const forms =
              p.name === 'filter'
                ? payloads.flatMap((v) =>
                    [`name:eq:${v}`, `id:in:[${v}]`, `name:ilike:${v}`, v].map(encodeURIComponent),
                  )
                : valueForms(payloads);
            out.push({
              method: method.toUpperCase(),
              url,
              param: p.name,
              location: p.location,
              forms,
            });
          }
        }
      }
      return out;
    }

    /** The path of a request with `value` (already encoded) in `target`'s parameter. */
    function requestPath(t: Target, value: string): string {
      const safe = t.method === 'GET';
      const pathValues: Record<string, string> = {
        id: safe && typeOf(t.url) === 'dataElements' ? DE : 'noSuchId000',
        key: safe ? 'applicationTitle' : 'noSuchSettingKey',
        versionName: version,
      };
      const path = t.url.replace(/:(\w+)/g, (_, name: string) =>
        t.location === 'path' && name === t.param ? value : pathValues[name]!,
      );
      const query = new URLSearchParams(REQUIRED_QUERY[t.url] ?? {});
      query.delete(t.param);
      const rest = query.toString();
      const injected = t.location === 'query' ? `${t.param}=${value}` : '';
      const qs = [rest, injected].filter(Boolean).join('&');
      return qs ? `${path}?${qs}` : path;
    }

    const problems: string[] = [];
    let sent = 0;
    const judge = (t: Target, value: string, path: string, res: RawAnswer) => {
      sent++;
      const where = `${t.method} ${path.slice(0, 140)}`;
      // A manual sync with no central configured is a 502 by design (metadata-sync.ts).
      const gateway = WRITING.has(`${t.method} ${t.url}`) && res.status === 502;
      if (res.status >= 500 && !gateway)
        problems.push(`${res.status}: ${where} ${res.body.slice(0, 200)}`);
      for (const what of forbiddenIn(res.body)) problems.push(`${what} in ${where}`);
      if (res.ms > 8000) problems.push(`took ${Math.round(res.ms)} ms (pg_sleep?): ${where}`);
      // A filter on a value nothing has must match nothing, whatever quotes it holds.
      const type = typeOf(t.url);
      if (
        t.param === 'filter' &&
        res.status === 200 &&
        TYPE_KEYS.has(type) &&
        t.url === `/api/${type}`
      ) {
        const decoded = decodeURIComponent(value);
        if (/^(name:eq:|id:in:)/.test(decoded)) {
          const list = (JSON.parse(res.body) as Record<string, unknown[]>)[type] ?? [];
          if (list.length > 0) problems.push(`filter matched ${list.length}: ${where}`);
        }
      }
    };

    async function send(list: Target[]) {
      const jobs = list.flatMap((t) => t.forms.map((value) => ({ t, value })));
      const run = async ({ t, value }: (typeof jobs)[number]) => {
        const path = requestPath(t, value);
        const withBody = t.method === 'POST' || t.method === 'PUT';
        const res = await rawRequest(server.url, path, {
          method: t.method,
          headers: withBody ? { ...headers, 'content-type': 'application/json' } : headers,
          ...(withBody ? { body: '{}' } : {}),
        });
        judge(t, value, path, res);
      };
      for (let i = 0; i < jobs.length; i += 16) await Promise.all(jobs.slice(i, i + 16).map(run));
    }

    it('sends every payload to every parameter of every route: no 5xx, leak or write', async () => {
      const all = targets();
      assert.ok(all.length > 500, `only ${all.length} parameters`);
      const before = await databaseFingerprint(server);
      await send(all.filter((t) => !WRITING.has(`${t.method} ${t.url}`)));
      assert.deepEqual(problems, []);
      assert.deepEqual(await databaseFingerprint(server), before, 'an injection attempt wrote');
      await send(all.filter((t) => WRITING.has(`${t.method} ${t.url}`)));
      assert.deepEqual(problems, []);
      const routes = new Set(all.map((t) => `${t.method} ${t.url}`)).size;
      console.log(
        `# ${backend}: ${all.length} parameters on ${routes} routes, ${PAYLOADS.length} payloads ` +
          `(${FEW_PAYLOADS.length} on non-representative types) → ${sent} requests`,
      );
    });

    it('stores hostile header values as data: the fleet view answers them verbatim', async () => {
      const wrong: string[] = [];
      // A name is sent URI-encoded; one that decodes to NUL is kept as sent, not a 500.
      const nul = await server.request(`/api/metadata/version/history?baseline=${version}`, {
        headers: { 'x-metasync-system-id': 'sys-nul', 'x-metasync-system-name': 'a%00b' },
      });
      assert.equal(nul.status, 200, await nul.text());
      for (const [i, p] of PAYLOADS.slice(0, 7).entries()) {
        const res = await server.request(`/api/metadata/version/history?baseline=${version}`, {
          headers: {
            'x-metasync-system-id': `sys-${i}-${p}`,
            'x-metasync-system-name': encodeURIComponent(p),
          },
        });
        if (res.status !== 200) wrong.push(`${res.status} for ${p}`);
      }
      assert.deepEqual(wrong, []);
      const fleet = (await (await server.request('/api/metadata/version/fleet')).json()) as {
        locals: { systemId: string | null; name: string }[];
      };
      for (const [i, p] of PAYLOADS.slice(0, 7).entries()) {
        const local = fleet.locals.find((l) => l.systemId === `sys-${i}-${p}`);
        assert.equal(local?.name, p, `fleet entry for ${p}`);
      }
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from metadata_object`.execute(server.instance.database.db);
      assert.ok(rows[0]!.n > 0, 'metadata_object is still there');
    });

    it('serves no file outside the web UI, whatever the path', async () => {
      const traversal = [
        '/../../../../etc/passwd',
        '/..%2f..%2f..%2f..%2fetc%2fpasswd',
        '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
        '/assets/../../../../../etc/passwd',
        '/assets/..%2f..%2f..%2f..%2fetc%2fpasswd',
        '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
        '/..%5c..%5c..%5cetc%5cpasswd',
        '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
        '//etc/passwd',
        '/index.html%00.js',
        '/%00',
        '/../package.json',
        '/assets/../../package.json',
        '/../src/main.ts',
        '/../.git/config',
        '/../node_modules/fastify/package.json',
        '/api/../../etc/passwd',
        '/api/..%2f..%2fetc%2fpasswd',
        '/file:///etc/passwd',
        `/${'..%2f'.repeat(40)}etc%2fpasswd`,
      ];
      const wrong: string[] = [];
      for (const path of traversal)
        for (const auth of [{}, headers]) {
          const res = await rawRequest(server.url, path, { headers: auth });
          if (res.status >= 500) wrong.push(`${res.status}: ${path}`);
          for (const what of forbiddenIn(res.body)) wrong.push(`${what} in ${path}`);
          if (res.body.includes('"name": "metasync"') || res.body.includes('[core]'))
            wrong.push(`file content in ${path}`);
        }
      assert.deepEqual(wrong, []);
      assert.equal((await server.request('/api/system/ping')).status, 200);
    });

    it('logged no internal error', () => {
      // Only the manual syncs' 502s (no central configured) are logged as errors.
      const errors = server.logs.lines.filter((l) => Number(l.level) >= 50).map((l) => l.msg);
      assert.deepEqual(
        errors.filter(
          (m) =>
            m !== 'Exception occurred while doing metadata sync: Remote server is not configured',
        ),
        [],
      );
    });
  });
}
