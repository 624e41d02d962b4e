/**
 * The authorization matrix (issue 10 §4): every route the running app registered × anonymous, a
 * user with no authority, a user with only F_METADATA_MANAGE, and the admin (ALL), checked
 * against the access declared in test/support/security-routes.ts. A route added without a
 * declaration fails here, so no route can skip the check. Every request is harmless (validation
 * fails after the authority check, or it names nothing), and the database is compared before and
 * after: no refused request, and none of the others, wrote anything.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SUPERUSER_ACTOR } from '../../src/domain/auth/users.ts';
import { DEFAULT_IMPORT_PARAMS } from '../../src/domain/metadata/import-params.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import {
  databaseFingerprint,
  declaredRoutes,
  harmlessRequest,
  registeredRoutes,
  type Access,
} from '../support/security-routes.ts';
import { ADMIN_PASSWORD, startServer, type TestServer } from '../support/server.ts';
import { centralBackend } from '../support/sync.ts';
import { uid } from '../support/versions.ts';

interface Principal {
  name: string;
  auth: [string, string] | null;
  authorities: readonly string[] | null;
}

const PRINCIPALS: readonly Principal[] = [
  { name: 'anonymous', auth: null, authorities: null },
  { name: 'no authority', auth: ['sec-none', 'Sec-None-123!'], authorities: [] },
  {
    name: 'F_METADATA_MANAGE',
    auth: ['sec-manage', 'Sec-Manage-123!'],
    authorities: ['F_METADATA_MANAGE'],
  },
  { name: 'admin (ALL)', auth: ['admin', ADMIN_PASSWORD], authorities: ['ALL'] },
];

type Expected = 401 | 403 | 'allowed';

/** What `who` must get from a route declared `access`. */
function expected(access: Access, who: Principal): Expected {
  if (access === 'public') return 'allowed';
  if (access === 'session') return 401; // Basic alone never opens the UI session
  if (who.authorities === null) return 401;
  if (access === 'authenticated') return 'allowed';
  const held = new Set(who.authorities);
  return held.has('ALL') || access.anyOf.some((a) => held.has(a)) ? 'allowed' : 403;
}

interface Outcome {
  route: string;
  who: string;
  status: number;
  body: string;
  headers: Headers;
}

// Authorities are checked before any store access, so one backend is enough: PostgreSQL when it
// answers (the matrix takes ~5 s there, ~20 s on PGlite with 2 busy cores), else PGlite.
{
  const backend = await centralBackend();
  describe(`authorization matrix on ${backend}`, () => {
    let database: TestDatabase;
    let server: TestServer;
    const outcomes: Outcome[] = [];
    let routes: string[] = [];

    before(async () => {
      database = await createTestDatabase(backend);
      server = await startServer(database);
      // Through the metadata import: `users create` refuses a user without authorities.
      const payload: Record<string, Record<string, unknown>[]> = { userRoles: [], users: [] };
      for (const p of PRINCIPALS.slice(1, 3)) {
        const role = uid();
        payload.userRoles!.push({ id: role, name: `Role ${p.name}`, authorities: p.authorities });
        payload.users!.push({
          id: uid(),
          username: p.auth![0],
          firstName: p.name,
          surname: 'Security',
          password: p.auth![1],
          userRoles: [{ id: role }],
        });
      }
      const report = await server.instance.services.metadata.import(
        payload,
        DEFAULT_IMPORT_PARAMS,
        SUPERUSER_ACTOR,
      );
      assert.equal(report.status, 'OK', JSON.stringify(report));
    });
    after(async () => {
      await server.stop();
      await database.dispose();
    });

    it('declares every registered route, and registers every declared one', () => {
      const registered = registeredRoutes(server.instance.app);
      const declared = declaredRoutes();
      const undeclared = [...registered].filter((r) => !declared.has(r)).sort();
      const stale = [...declared.keys()].filter((r) => !registered.has(r)).sort();
      assert.deepEqual(undeclared, [], 'routes without a declared access (security-routes.ts)');
      assert.deepEqual(stale, [], 'declared routes the app no longer registers');
      routes = [...registered].sort();
      // The table is big enough to mean something: 60+ metadata types × 5 routes, plus the rest.
      assert.ok(routes.length > 300, `only ${routes.length} routes`);
    });

    it('answers every route × principal as declared, and writes nothing', async () => {
      assert.ok(routes.length > 0, 'the route table test ran first');
      const declared = declaredRoutes();
      const before = await databaseFingerprint(server);
      // Refused requests first, so a write by one of them cannot hide behind an allowed one.
      const cases = routes.flatMap((route) =>
        PRINCIPALS.map((who) => ({ route, who, want: expected(declared.get(route)!, who) })),
      );
      cases.sort((a, b) => Number(a.want === 'allowed') - Number(b.want === 'allowed'));
      const refused = cases.filter((c) => c.want !== 'allowed').length;
      const run = async (c: (typeof cases)[number]) => {
        const [method, url] = c.route.split(' ') as [string, string];
        const { path, init } = harmlessRequest(method, url);
        const res = await server.request(path, { ...init, auth: c.who.auth });
        outcomes.push({
          route: c.route,
          who: c.who.name,
          status: res.status,
          body: await res.text(),
          headers: res.headers,
        });
      };
      // A few at a time: the order between refused and allowed is kept by the two phases.
      const phases = [cases.slice(0, refused), cases.slice(refused)];
      for (const [i, phase] of phases.entries()) {
        for (let k = 0; k < phase.length; k += 8) await Promise.all(phase.slice(k, k + 8).map(run));
        if (i === 0)
          assert.deepEqual(
            await databaseFingerprint(server),
            before,
            'a refused request wrote to the database',
          );
      }
      assert.deepEqual(await databaseFingerprint(server), before, 'a harmless request wrote');

      const wrong: string[] = [];
      for (const o of outcomes) {
        const access = declared.get(o.route)!;
        const who = PRINCIPALS.find((p) => p.name === o.who)!;
        const want = expected(access, who);
        const head = o.route.startsWith('HEAD ');
        const msg = `${o.route} as ${o.who}: ${o.status} ${o.body.slice(0, 160)}`;
        if (o.status >= 500) wrong.push(`5xx: ${msg}`);
        else if (want === 'allowed' && (o.status === 401 || o.status === 403))
          wrong.push(`refused: ${msg}`);
        else if (want !== 'allowed' && o.status !== want) wrong.push(`want ${want}: ${msg}`);
        else if (want !== 'allowed' && !head) {
          // Refusals are DHIS2 WebMessages; 403 names the authorities the route needs.
          const body = JSON.parse(o.body) as Record<string, unknown>;
          const ok =
            body.httpStatusCode === want &&
            body.status === 'ERROR' &&
            (want === 401 ||
              (body.errorCode === 'E1006' &&
                typeof access === 'object' &&
                body.message ===
                  `Access is denied, requires one Authority from [${access.anyOf.join(', ')}]`));
          if (!ok) wrong.push(`not the WebMessage: ${msg}`);
        }
      }
      assert.deepEqual(wrong, []);
      assert.equal(outcomes.length, routes.length * PRINCIPALS.length);
      const count = (w: Expected) =>
        outcomes.filter(
          (o) =>
            expected(
              declared.get(o.route)!,
              PRINCIPALS.find((p) => p.name === o.who)!,
            ) === w,
        ).length;
      console.log(
        `# ${backend}: ${routes.length} routes × ${PRINCIPALS.length} principals = ${outcomes.length} requests ` +
          `(401: ${count(401)}, 403: ${count(403)}, allowed: ${count('allowed')})`,
      );
    });

    it('sent the security headers on every one of those answers, once each', () => {
      assert.ok(outcomes.length > 0);
      const wrong: string[] = [];
      for (const o of outcomes) {
        const h = (name: string) => o.headers.get(name) ?? '';
        const where = `${o.route} as ${o.who} (${o.status})`;
        if (h('x-content-type-options') !== 'nosniff') wrong.push(`nosniff: ${where}`);
        if (h('x-frame-options') !== 'DENY')
          wrong.push(`x-frame-options ${h('x-frame-options')}: ${where}`);
        if (!['no-referrer', 'same-origin'].includes(h('referrer-policy')))
          wrong.push(`referrer-policy ${h('referrer-policy')}: ${where}`);
        if (!h('content-security-policy').includes("frame-ancestors 'none'"))
          wrong.push(`csp ${h('content-security-policy')}: ${where}`);
        // A JSON answer is never cached (no route here answers a snapshot: they all 400 or 404).
        if (h('content-type').includes('json') && h('cache-control') !== 'no-store')
          wrong.push(`cache-control ${h('cache-control')}: ${where}`);
      }
      assert.deepEqual(wrong, []);
    });

    it('logged no internal error', () => {
      const errors = server.logs.lines.filter((l) => Number(l.level) >= 50);
      assert.deepEqual(errors, []);
    });
  });
}
