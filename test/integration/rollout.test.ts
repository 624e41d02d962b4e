/**
 * Staged rollout over real HTTP (issue 22 §6): a central on the backend under test, a canary A
 * (a metasync local in the ring by its system id), a local B outside the ring, and an emulated
 * DHIS2 2.41 canary in the ring by its user. A new version reaches A only; A's failure blocks the
 * release naming A; the version is withdrawn, fixed, made again as Version_3 with a new hash,
 * reached by A and released to B; the automatic release; a DHIS2 canary by username; a canary
 * holding a withdrawn version is DIVERGED, told why, and recovers with a rebaseline.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { backends } from '../support/databases.ts';
import { Dhis2Local } from '../support/dhis2-local/index.ts';
import { eventually } from '../support/eventually.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { useServer, type TestServer } from '../support/server.ts';
import {
  centralBackend,
  connect,
  createVersion,
  postSettings,
  importMetadata,
  listVersions,
  newDataElement,
  runSync,
  syncOk,
} from '../support/sync.ts';
import { enableVersioning, fetchJson } from '../support/versions.ts';

type Json = Record<string, unknown>;
const CANARY_USER = 'dhis2canary';
const CANARY_PASSWORD = 'Canary-Pass-1!';

const systemIdOf = (s: TestServer) => s.instance.services.instance.systemId;

const post = (server: TestServer, path: string, body: Json) =>
  fetchJson<Json>(server, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const act = (central: TestServer, name: string, action: string, reason: string, force = false) =>
  post(central, `/api/metadata/version/${name}/${action}${force ? '?force=true' : ''}`, { reason });

const names = async (server: TestServer) => (await listVersions(server)).map((v) => v.name);

/** What the central's history shows a local (as that local asks it, by its own credentials). */
async function historyAs(central: TestServer, local: TestServer): Promise<string[]> {
  const r = await central.request('/api/metadata/version/history', {
    headers: { 'x-metasync-system-id': systemIdOf(local) },
  });
  assert.equal(r.status, 200);
  return ((await r.json()) as { metadataversions: Json[] }).metadataversions.map((v) =>
    String(v.name),
  );
}

async function overview(central: TestServer) {
  const r = await fetchJson<{
    versions: { name: string; state: string; canaries: { member: string; progress: string }[] }[];
  }>(central, '/api/metasync/rollout/versions');
  assert.equal(r.status, 200, r.text);
  return r.body.versions;
}

for (const backend of await backends()) {
  describe(`staged rollout, central on ${backend}`, () => {
    const central = useServer(backend, { rolloutCheckMs: 200 });
    const a = useServer(centralBackend());
    const b = useServer(centralBackend());
    let dhis2: Dhis2Local;
    let clash: Json;
    let firstV3 = '';
    let sink: SmtpSink;

    before(async () => {
      sink = await startSmtpSink();
      await enableVersioning(central);
      // The central's administrators are told of canary failures, releases and withdrawals.
      await postSettings(central, {
        keyEmailHostName: '127.0.0.1',
        keyEmailPort: sink.port,
        keyEmailTls: false,
        keyEmailSender: 'metasync@example.org',
        keySystemNotificationsEmail: 'admins@example.org',
      });
      await central.instance.services.users.create({
        username: CANARY_USER,
        password: CANARY_PASSWORD,
        authorities: ['F_METADATA_MANAGE'],
      });
      await connect(a, central.url);
      await connect(b, central.url);
      dhis2 = new Dhis2Local({
        release: '2.41.9.1',
        remote: { url: central.url, username: CANARY_USER, password: CANARY_PASSWORD },
      });
      await importMetadata(central, { dataElements: [newDataElement('Base')] });
      await createVersion(central, 'ATOMIC'); // Version_1
      await importMetadata(central, { dataElements: [newDataElement('Base two')] });
      await createVersion(central, 'BEST_EFFORT'); // Version_2, both released: no rollout yet
      await syncOk(a);
      await syncOk(b);
      const r = await fetchJson<Json>(central, '/api/metasync/rollout', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          enabled: true,
          ring: [{ systemId: systemIdOf(a) }, { username: CANARY_USER }],
          autoReleaseAfterMinutes: null,
        }),
      });
      assert.equal(r.status, 200, r.text);
    });

    after(() => sink?.close());

    it('a new version reaches the ring only: B’s history stops at Version_2 and its snapshot is 404 to B', async () => {
      // A made a data element locally whose code Version_3 brings again: A's import will fail.
      clash = newDataElement('Clash');
      await importMetadata(a, {
        dataElements: [{ ...newDataElement('Local'), code: clash.code }],
      });
      await importMetadata(central, { dataElements: [clash] });
      const v3 = await createVersion(central, 'ATOMIC');
      firstV3 = v3.hashCode;

      assert.deepEqual(await historyAs(central, a), ['Version_1', 'Version_2', 'Version_3']);
      assert.deepEqual(await historyAs(central, b), ['Version_1', 'Version_2']);
      const asB = await central.request('/api/metadata/version/Version_3/data.gz', {
        headers: { 'x-metasync-system-id': systemIdOf(b) },
      });
      assert.equal(asB.status, 404);
      const asA = await central.request('/api/metadata/version/Version_3/data.gz', {
        headers: { 'x-metasync-system-id': systemIdOf(a) },
      });
      assert.equal(asA.status, 200);
      assert.equal(
        asA.headers.get('cache-control'),
        'no-store',
        'a canary snapshot is not immutable',
      );
      const bRun = await syncOk(b);
      assert.equal(bRun.toVersion, 'Version_2');
      assert.deepEqual(await names(b), ['Version_1', 'Version_2']);
    });

    it('A fails Version_3; its outcome reaches the central and the release is refused naming A', async () => {
      const failed = await runSync(a);
      assert.equal(failed.status, 'FAILED');
      assert.equal(failed.error?.version, 'Version_3');
      await eventually(async () => {
        const v3 = (await overview(central)).find((v) => v.name === 'Version_3')!;
        assert.equal(v3.state, 'CANARY');
        assert.deepEqual(
          v3.canaries.map((c) => [c.member, c.progress]),
          [
            [`system:${systemIdOf(a)}`, 'FAILED'],
            [`user:${CANARY_USER}`, 'NOT_YET'],
          ],
        );
      });
      // The fleet view shows A's last outcome (issue 22 §3); B reported its success on Version_2.
      const fleet = await fetchJson<{ locals: Json[] }>(central, '/api/metadata/version/fleet');
      const outcomeOf = (l: TestServer) =>
        fleet.body.locals.find((x) => x.systemId === systemIdOf(l))?.lastOutcome as Json | null;
      assert.deepEqual(
        [outcomeOf(a)?.version, outcomeOf(a)?.status, outcomeOf(a)?.failureKind],
        ['Version_3', 'FAILED', 'IMPORT_FAILED'],
      );
      assert.deepEqual([outcomeOf(b)?.version, outcomeOf(b)?.status], ['Version_2', 'SUCCESS']);
      const refused = await act(central, 'Version_3', 'release', 'looks fine to me');
      assert.equal(refused.status, 409, refused.text);
      assert.ok(String(refused.body.message).includes(`system:${systemIdOf(a)} failed Version_3`));
      assert.deepEqual(await historyAs(central, b), ['Version_1', 'Version_2']);
      const [mail] = await sink.waitFor(1);
      assert.equal(mail!.subject, `Canary system:${systemIdOf(a)} failed Version_3`);
      assert.deepEqual(mail!.envelopeTo, ['admins@example.org']);
      assert.match(mail!.text, /IMPORT_FAILED/);
    });

    it('withdraw, fix, and the next version is Version_3 again with a new hash; A reaches it; release; B syncs it', async () => {
      const w = await act(central, 'Version_3', 'withdraw', 'code clash on canary A');
      assert.equal(w.status, 200, w.text);
      assert.deepEqual(w.body.versions, ['Version_3']);
      assert.deepEqual(await names(central), ['Version_1', 'Version_2']);
      // The fix: the central's data element takes another code; the withdrawn change comes back.
      await importMetadata(central, {
        dataElements: [{ ...clash, code: `${String(clash.code)}_C` }],
      });
      const again = await createVersion(central, 'ATOMIC');
      assert.equal(again.name, 'Version_3');
      assert.notEqual(again.hashCode, firstV3);

      assert.equal((await syncOk(a)).toVersion, 'Version_3');
      const released = await act(central, 'Version_3', 'release', 'canary A imported it cleanly');
      assert.equal(released.status, 200, released.text);
      assert.deepEqual(released.body.versions, ['Version_3']);
      assert.equal((await syncOk(b)).toVersion, 'Version_3');
      const mails = await sink.waitFor(3);
      assert.deepEqual(
        mails.slice(1).map((m) => m.subject),
        ['Version_3 withdrawn', 'Version_3 released to every local'],
      );
      assert.match(mails[1]!.text, /code clash on canary A/);
      const audit = await fetchJson<{ audit: { action: string }[] }>(
        central,
        '/api/metadata/sync/audit',
      );
      assert.deepEqual(
        audit.body.audit
          .map((e) => e.action)
          .filter((x) => x.startsWith('ROLLOUT_'))
          .slice(0, 3),
        ['ROLLOUT_RELEASE', 'ROLLOUT_WITHDRAW', 'ROLLOUT_CONFIG'],
      );
    });

    it('a DHIS2 canary in the ring by its user sees the canary version and reaches it by its next history call', async () => {
      assert.equal((await dhis2.runMetadataSync()).status, 'SUCCESS');
      await importMetadata(central, { dataElements: [newDataElement('Four')] });
      await createVersion(central, 'BEST_EFFORT'); // Version_4, CANARY
      const first = await dhis2.runMetadataSync();
      assert.deepEqual(first.accepted, ['Version_4']);
      await dhis2.runMetadataSync(); // asks the history from Version_4: reached
      const v4 = (await overview(central)).find((v) => v.name === 'Version_4')!;
      assert.deepEqual(
        v4.canaries.find((c) => c.member === `user:${CANARY_USER}`)?.progress,
        'REACHED',
      );
      assert.deepEqual(await historyAs(central, b), ['Version_1', 'Version_2', 'Version_3']);
    });

    it('A imported a withdrawn BEST_EFFORT version: DIVERGED, told why, and back with a rebaseline', async () => {
      assert.equal((await syncOk(a)).toVersion, 'Version_4');
      const w = await act(central, 'Version_4', 'withdraw', 'wrong option set in Version_4');
      assert.equal(w.status, 200, w.text);
      const diverged = await runSync(a);
      assert.equal(diverged.error?.kind, 'DIVERGED');
      assert.match(diverged.error!.message, /Version_4 .*was withdrawn on the central by admin/);
      assert.match(diverged.error!.message, /wrong option set in Version_4/);
      assert.match(diverged.error!.message, /rebaseline/);
      const back = await post(a, '/api/metadata/sync/rebaseline', {
        to: 'Version_3',
        reason: 'Version_4 was withdrawn on the central',
      });
      assert.equal(back.status, 200, back.text);
      await importMetadata(central, { dataElements: [newDataElement('Four again')] });
      const v4 = await createVersion(central, 'BEST_EFFORT');
      assert.equal(v4.name, 'Version_4');
      assert.equal((await syncOk(a)).toVersion, 'Version_4');
    });

    it('the automatic release lets a version go once every canary reached it and the minutes passed', async () => {
      // The DHIS2 canary reaches the new Version_4 too, then the ring is A and it.
      await dhis2.runMetadataSync();
      const put = await fetchJson<Json>(central, '/api/metasync/rollout', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          enabled: true,
          ring: [{ systemId: systemIdOf(a) }],
          autoReleaseAfterMinutes: 1,
        }),
      });
      assert.equal(put.status, 200, put.text);
      await new Promise((r) => setTimeout(r, 600));
      assert.equal(
        (await overview(central)).find((v) => v.name === 'Version_4')!.state,
        'CANARY',
        'reached by A, but not a minute old',
      );
      // Two minutes pass: every version's creation moves back, in order, as a clock would.
      await sql`update metadata_version set created = created - interval '2 minutes'`.execute(
        central.instance.database.db,
      );
      await eventually(async () =>
        assert.equal(
          (await overview(central)).find((v) => v.name === 'Version_4')!.state,
          'RELEASED',
        ),
      );
      assert.deepEqual(await historyAs(central, b), [
        'Version_1',
        'Version_2',
        'Version_3',
        'Version_4',
      ]);
      const bRun = await syncOk(b);
      assert.equal(bRun.toVersion, 'Version_4', JSON.stringify(bRun));
    });
  });
}
