/**
 * The versioning endpoints over HTTP, on both backends (issue 5): the switch (400 while off, 403
 * first without the authority), DHIS2's own MetadataVersionControllerTest cases (contract §15.1)
 * and the behaviours of §15.2/§15.3 that HTTP shows: latest, deltas, keySystemMetadataVersion,
 * history ranges, 404s; and the fleet view the history calls feed. Creating (authorities, 409,
 * chain, preview, CLI) is in versions-create.test.ts.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { backends } from '../support/databases.ts';
import { useServer } from '../support/server.ts';
import {
  DHIS2_DATE_OFFSET,
  assertVersionFields as assertVersion,
  createVersion,
  createVersions,
  dataElement,
  enableVersioning,
  fetchJson,
  historyNames,
  idsOf,
  listVersions,
  okJson,
  postDataElement,
  resetVersions,
  snapshot,
  uid,
  type VersionJson,
} from '../support/versions.ts';

type Auth = [string, string];
type Json = Record<string, unknown>;
type History = { metadataversions: VersionJson[] };
const NOBODY: Auth = ['vviewer', 'No-authority-1!'];
const MANAGER: Auth = ['fleetmgr', 'Fleet-manager-1!'];
const EMPTY = '{"metadataversions":[]}';

/** Every versioning endpoint; `manage`: it needs F_METADATA_MANAGE beyond authentication. */
const ENDPOINTS: [method: string, path: string, manage: boolean][] = [
  ['GET', '/api/metadata/version', false],
  ['GET', '/api/metadata/version?versionName=Version_1', false],
  ['GET', '/api/metadata/version/history', false],
  ['GET', '/api/metadata/version/history?baseline=Version_1', false],
  ['GET', '/api/metadata/versions', false],
  ['POST', '/api/metadata/version/create?type=ATOMIC', true],
  ['GET', '/api/metadata/version/Version_1/data', true],
  ['GET', '/api/metadata/version/Version_1/data.gz', true],
  ['GET', '/api/metadata/version/preview', true],
  ['GET', '/api/metadata/version/fleet', true],
];

for (const backend of await backends()) {
  describe(`metadata versions over HTTP on ${backend}`, () => {
    // One server per backend for the file: a PGlite instance costs ~2 s (stack.md §2).
    const server = useServer(backend);
    before(async () => {
      const users: [Auth, string][] = [
        [NOBODY, 'F_METADATA_EXPORT'],
        [MANAGER, 'F_METADATA_MANAGE'],
      ];
      for (const [[username, password], authority] of users)
        await server.instance.services.users.create({
          username,
          password,
          authorities: [authority],
        });
    });

    it('answers 400 E1003 on every versioning endpoint while keyVersionEnabled is off, and 403 first without the authority', async () => {
      for (const on of [false, true]) {
        await enableVersioning(server, on);
        for (const [method, p, manage] of ENDPOINTS) {
          const denied = await fetchJson(server, p, { method, auth: NOBODY });
          if (manage) {
            assert.equal(denied.status, 403, `${method} ${p}`);
            assert.equal(
              denied.body.message,
              'Access is denied, requires one Authority from [F_METADATA_MANAGE]',
            );
            assert.equal(denied.body.errorCode, 'E1006');
          } else if (!on) assert.equal(denied.status, 400, `${method} ${p}`);
          if (on) continue;
          const r = await fetchJson(server, p, { method });
          assert.equal(r.status, 400, `${method} ${p}: ${r.text}`);
          assert.equal(
            r.text,
            '{"httpStatus":"Bad Request","httpStatusCode":400,"status":"ERROR","message":"Metadata versioning is not enabled for this instance.","errorCode":"E1003"}',
          );
        }
      }
      assert.deepEqual(await listVersions(server), [], 'nothing was created while it was off');
    });

    /** Contract §15.1 starts each case with none: `n` ATOMIC versions (the later ones forced). */
    const fresh = async (n: number) => {
      await resetVersions(server);
      await createVersions(server, n);
    };

    it('§15.1 getMetadataVersionsTest: /versions[0] is Version_1', async () => {
      await fresh(1);
      assertVersion((await listVersions(server))[0]!, 'Version_1');
    });

    it('§15.1 getCurrentMetadataVersionTest: /version is Version_1', async () => {
      await fresh(1);
      assertVersion(await okJson<VersionJson>(server, '/api/metadata/version'), 'Version_1');
    });

    it('§15.1 getMetadataVersionByNameTest: ?versionName=Version_2', async () => {
      await fresh(2);
      const v = await okJson<VersionJson>(server, '/api/metadata/version?versionName=Version_2');
      assertVersion(v, 'Version_2');
    });

    it('§15.1 getCurrentMetadataVersionHistoryTest: history[0] is Version_1', async () => {
      await fresh(1);
      const h = await okJson<History>(server, '/api/metadata/version/history');
      assert.equal(h.metadataversions.length, 1);
      assertVersion(h.metadataversions[0]!, 'Version_1');
    });

    it('§15.1 getCurrentMetadataVersionHistoryByNameTest: ?versionName= is ignored', async () => {
      await fresh(2);
      assert.equal((await historyNames(server, '?versionName=Version_2')).length, 2);
    });

    it('§15.1 getCurrentMetadataVersionDataTest: system.id and a valid system.date', async () => {
      await fresh(2);
      const { system } = await snapshot(server, 'Version_2');
      assert.ok(typeof system.id === 'string' && system.id.length > 0);
      assert.match(system.date, DHIS2_DATE_OFFSET);
      assert.ok(!Number.isNaN(Date.parse(system.date.replace(/(\d\d)(\d\d)$/, '$1:$2'))));
    });

    it('§15.1 getCurrentMetadataVersionDataZippedTest: 2xx application/gzip', async () => {
      await fresh(2);
      const res = await server.request('/api/metadata/version/Version_2/data.gz');
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/gzip');
      await res.arrayBuffer();
    });

    for (const suffix of ['data', 'data.gz'])
      it(`§15.1 getMissingMetadataVersionData${suffix === 'data' ? '' : 'Gz'}ReturnsError: 404 naming it`, async () => {
        await fresh(0);
        const r = await fetchJson(server, `/api/metadata/version/DoesNotExist/${suffix}`);
        assert.equal(r.status, 404);
        assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
        assert.equal(r.body.status, 'ERROR');
        assert.equal(r.body.httpStatusCode, 404);
        assert.match(r.body.message as string, /DoesNotExist/);
      });

    it('latest is the newest; no versions, an unknown name or baseline answer 404 naming it', async () => {
      await resetVersions(server);
      const none = await fetchJson(server, '/api/metadata/version');
      assert.equal(none.status, 404);
      assert.equal(none.body.errorCode, 'E1005');
      await createVersion(server, 'ATOMIC');
      await createVersion(server, 'BEST_EFFORT', { force: true });
      assertVersion(await okJson(server, '/api/metadata/version'), 'Version_2', 'BEST_EFFORT');
      const empty = await okJson<VersionJson>(server, '/api/metadata/version?versionName=');
      assert.equal(empty.name, 'Version_2', 'an empty versionName means the current one');
      for (const q of ['version?versionName=Version_99', 'version/history?baseline=Version_99']) {
        const r = await fetchJson(server, `/api/metadata/${q}`);
        assert.equal(r.status, 404, q);
        assert.equal(r.body.status, 'ERROR');
        assert.match(r.body.message as string, /Version_99/);
      }
    });

    it('testShouldSaveVersionAndSnapShot / …OnlyDelta: Version_2 holds DataElementA, Version_3 DataElementB only', async () => {
      await resetVersions(server);
      await createVersion(server, 'ATOMIC');
      const a = dataElement(uid(), `DataElementA ${uid()}`);
      const b = dataElement(uid(), `DataElementB ${uid()}`);
      await postDataElement(server, a);
      const v2 = await createVersion(server, 'ATOMIC');
      assert.equal((await okJson<VersionJson>(server, '/api/metadata/version')).name, 'Version_2');
      await postDataElement(server, b);
      const v3 = await createVersion(server, 'BEST_EFFORT');
      assert.deepEqual(
        [v2.name, v2.type, v3.name, v3.type],
        ['Version_2', 'ATOMIC', 'Version_3', 'BEST_EFFORT'],
      );
      assert.deepEqual(idsOf(await snapshot(server, 'Version_2'), 'dataElements'), [a.id]);
      const s3 = await snapshot(server, 'Version_3');
      assert.deepEqual(idsOf(s3, 'dataElements'), [b.id]);
      assert.ok(!JSON.stringify(s3).includes(a.name as string));
      // Version_1 is the full export: the default category model, Superuser and admin at least.
      const v1 = await snapshot(server, 'Version_1');
      for (const k of ['categoryCombos', 'categories', 'userRoles', 'users'])
        assert.ok(idsOf(v1, k).length >= 1, k);
    });

    it(
      'testShouldSaveVersionAndSnapShot: a create sets keySystemMetadataVersion, seen at once',
      {},
      async () => {
        await resetVersions(server);
        for (const [i, force] of [false, true, true].entries()) {
          const v = await createVersion(server, 'ATOMIC', { force });
          assert.equal(v.name, `Version_${i + 1}`);
          const setting = await okJson(server, '/api/systemSettings/keySystemMetadataVersion');
          assert.deepEqual(setting, { keySystemMetadataVersion: v.name });
          const info = await okJson(server, '/api/system/info');
          assert.equal(info.systemMetadataVersion, v.name);
          assert.equal(info.isMetadataVersionEnabled, true);
        }
      },
    );

    it('history: all oldest first, ?baseline= the ones after it, {"metadataversions":[]} when nothing is newer', async () => {
      await resetVersions(server);
      assert.equal((await fetchJson(server, '/api/metadata/version/history')).text, EMPTY);
      const all = ['Version_1', 'Version_2', 'Version_3'];
      const created = await createVersions(server, 3);
      assert.deepEqual(await historyNames(server), all);
      assert.deepEqual(await historyNames(server, '?baseline='), all);
      assert.deepEqual(await historyNames(server, '?baseline=Version_1'), all.slice(1));
      assert.deepEqual(await historyNames(server, '?baseline=Version_2'), all.slice(2));
      const last = await fetchJson(server, '/api/metadata/version/history?baseline=Version_3');
      assert.equal(last.status, 200);
      assert.equal(last.text, EMPTY);
      const h = await okJson<History>(server, '/api/metadata/version/history');
      assert.deepEqual(
        h.metadataversions.map((v) => [v.id, v.hashCode, v.type, v.created]),
        created.map((v) => [v.id, v.hashCode, v.type, v.created]),
      );
    });

    it('fleet records each local from its history calls (by system id, or user@address) and computes behindBy', async () => {
      await resetVersions(server);
      assert.deepEqual(await okJson(server, '/api/metadata/version/fleet'), { locals: [] });
      await createVersions(server, 3);
      const history = (q: string, headers: Record<string, string> = {}, auth?: [string, string]) =>
        fetchJson(server, `/api/metadata/version/history${q}`, { headers, auth });
      const sys = { 'x-metasync-system-id': 'local-a-uuid', 'x-metasync-system-name': 'Local A' };
      const t0 = Date.now();
      assert.equal((await history('?baseline=Version_1', sys)).status, 200);
      assert.equal((await history('?baseline=Version_3', {}, MANAGER)).status, 200);
      assert.equal((await history('?baseline=Nope', {}, MANAGER)).status, 404);
      const fleet = async () =>
        new Map(
          (await okJson<{ locals: Json[] }>(server, '/api/metadata/version/fleet')).locals.map(
            (l) => [l.id as string, l],
          ),
        );
      let locals = await fleet();
      assert.equal(locals.size, 2);
      const a = locals.get('system:local-a-uuid')!;
      assert.equal(a.systemId, 'local-a-uuid');
      assert.equal(a.name, 'Local A');
      assert.equal(a.user, 'admin');
      assert.equal(a.address, '127.0.0.1');
      assert.equal(a.version, 'Version_1');
      assert.equal(a.behindBy, 2);
      assert.equal(a.latest, 'Version_3');
      assert.ok(Date.parse(a.lastSeen as string) >= t0 - 1000);
      const m = locals.get(`user:${MANAGER[0]}@127.0.0.1`)!;
      assert.equal(m.systemId, null);
      assert.equal(m.user, MANAGER[0]);
      assert.equal(m.version, 'Version_3', 'a 404 history call records nothing');
      assert.equal(m.behindBy, 0);

      // The same local again: one entry, updated; without a baseline it has nothing yet.
      assert.equal((await history('?baseline=Version_2', sys)).status, 200);
      assert.equal((await history('', {}, MANAGER)).status, 200);
      locals = await fleet();
      assert.equal(locals.size, 2);
      assert.equal(locals.get('system:local-a-uuid')!.behindBy, 1);
      assert.ok(
        Date.parse(locals.get('system:local-a-uuid')!.lastSeen as string) >=
          Date.parse(a.lastSeen as string),
      );
      assert.equal(locals.get(`user:${MANAGER[0]}@127.0.0.1`)!.behindBy, 3);
      // A new version puts everyone one further behind.
      await createVersion(server, 'ATOMIC', { force: true });
      locals = await fleet();
      assert.equal(locals.get('system:local-a-uuid')!.behindBy, 2);
      assert.equal(locals.get('system:local-a-uuid')!.latest, 'Version_4');
    });
  });
}
