/**
 * Divergence and the audited recovery (issue 6 §6): a local that made its own version, a local
 * whose recorded hashCode differs from the central's, and `POST /api/metadata/sync/rebaseline`
 * with its audit log.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { backends } from '../support/databases.ts';
import type { TestServer } from '../support/server.ts';
import {
  assertSameVersions,
  connect,
  createVersion,
  importMetadata,
  listVersions,
  newDataElement,
  runSync,
  syncOk,
  syncStatus,
  useCentralAndLocal,
} from '../support/sync.ts';
import { fetchJson, type VersionJson } from '../support/versions.ts';

type Json = Record<string, unknown>;

// Both servers of this file run in a zone that is not UTC: DHIS2 dates carry no offset (server
// time), so the local must read the central's `created` in the zone it writes it, or its
// version list shows other dates than the central's (assertSameVersions compares them).
process.env.TZ = 'Asia/Kolkata';

const rebaseline = (local: TestServer, to: string, reason: string) =>
  fetchJson<Json>(local, '/api/metadata/sync/rebaseline', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ to, reason }),
  });

async function newCentralVersion(central: TestServer, label: string): Promise<VersionJson> {
  await importMetadata(central, { dataElements: [newDataElement(label)] });
  return createVersion(central, 'ATOMIC');
}

for (const backend of await backends()) {
  describe(`divergence and rebaseline, local on ${backend}`, () => {
    const { central, local } = useCentralAndLocal(backend);
    before(async () => {
      await connect(local, central.url);
      await newCentralVersion(central, 'One'); // Version_1
      await newCentralVersion(central, 'Two'); // Version_2
      await syncOk(local);
    });

    it('a local with a remote (a relay: the sync turned versioning on) refuses to create its own version, even forced; one made while unplugged warns', async () => {
      await importMetadata(local, { dataElements: [newDataElement('LocalOnly')] });
      for (const force of ['', '&force=true']) {
        const refused = await fetchJson<Json>(
          local,
          `/api/metadata/version/create?type=BEST_EFFORT${force}`,
          { method: 'POST' },
        );
        assert.equal(refused.status, 409, refused.text);
        assert.match(String(refused.body.message), /relay of http/);
        assert.ok(String(refused.body.message).includes(central.url), refused.text);
      }
      assert.equal((await listVersions(local)).length, 2, 'nothing was created');

      // Unplugged from the central it is a central of its own and may make a version; plugged
      // back in, that version is what makes it diverge.
      await connect(local, '');
      const own = await fetchJson<VersionJson>(
        local,
        '/api/metadata/version/create?type=BEST_EFFORT',
        { method: 'POST' },
      );
      await connect(local, central.url);
      assert.equal(own.status, 200, own.text);
      assert.equal(own.body.name, 'Version_3');
      const status = await syncStatus(local);
      assert.equal((status as unknown as Json).localVersionWarning, true);
      assert.match(status.message, /Version_3 was created on this instance/);
    });

    it('the next run stops DIVERGED and says why: first the central has no such version, then a different one', async () => {
      const missing = await runSync(local);
      assert.equal(missing.status, 'FAILED');
      assert.equal(missing.error?.kind, 'DIVERGED');
      assert.equal(missing.attempts, 1, 'divergence is not retried');
      assert.equal(missing.error?.step, 'history');
      assert.match(missing.error!.message, /The central has no Version_3/);
      assert.match(missing.error!.message, /rebaseline/);
      const status = await syncStatus(local);
      assert.equal(status.state, 'DIVERGED');
      assert.match(status.message, /Version_3/);

      const v3 = await newCentralVersion(central, 'Three'); // the central's own Version_3
      await newCentralVersion(central, 'Four'); // Version_4
      const differs = await runSync(local);
      assert.equal(differs.error?.kind, 'DIVERGED');
      assert.match(differs.error!.message, /Version_3 differs/);
      assert.ok(differs.error!.message.includes(v3.hashCode), differs.error!.message);
      assert.deepEqual(
        (await listVersions(local)).map((v) => v.name),
        ['Version_1', 'Version_2', 'Version_3'],
      );
    });

    it('rebaseline to the last common version (audited) lets the next run pull the central’s versions', async () => {
      const short = await rebaseline(local, 'Version_2', 'no');
      assert.equal(short.status, 400, short.text);
      const unknown = await rebaseline(local, 'Version_99', 'Central never had it');
      assert.equal(unknown.status, 404, unknown.text);
      assert.match(String(unknown.body.message), /Version_99/);

      const reason = 'Local Version_3 was made by mistake; follow the central again';
      const done = await rebaseline(local, 'Version_2', reason);
      assert.equal(done.status, 200, done.text);
      assert.equal(done.body.to, 'Version_2');
      assert.equal(done.body.from, 'Version_3');
      assert.deepEqual(
        (await listVersions(local)).map((v) => v.name),
        ['Version_1', 'Version_2'],
      );
      // Right at once, before the next run (issue 17 §6): the rebaseline mended the divergence,
      // and asking the central shows what the next run will pull.
      const mended = await syncStatus(local, { refresh: true });
      assert.equal(mended.state, 'BEHIND', mended.message);
      assert.equal(mended.remoteVersion, 'Version_4');
      assert.equal(mended.behindBy, 2);

      const report = await syncOk(local);
      assert.deepEqual(
        report.versions.map((v) => [v.name, v.status]),
        [
          ['Version_3', 'SUCCESS'],
          ['Version_4', 'SUCCESS'],
        ],
      );
      await assertSameVersions(central, local);
      assert.equal((await syncStatus(local)).state, 'UP_TO_DATE');

      const audit = await fetchJson<{ audit: Json[] }>(local, '/api/metadata/sync/audit');
      assert.equal(audit.status, 200, audit.text);
      // The log also holds the pin of the central's signing key made by the first sync.
      const rebaselines = audit.body.audit.filter((a) => a.action !== 'PIN_SIGNING_KEY');
      assert.equal(rebaselines.length, 1);
      const entry = rebaselines[0]!;
      assert.equal(entry.action, 'REBASELINE');
      assert.equal(entry.username, 'admin');
      assert.equal(entry.reason, reason);
      assert.ok(Date.now() - Date.parse(String(entry.at)) < 60_000, String(entry.at));
      assert.equal((entry.details as Json).to, 'Version_2');
      assert.equal((entry.details as Json).from, 'Version_3');
    });

    it('a recorded hashCode that differs from the central’s is DIVERGED; rebaseline to it recovers', async () => {
      const { db } = local.instance.database;
      await sql`update metadata_version set hash_code = ${'0'.repeat(32)} where name = 'Version_4'`.execute(
        db,
      );
      await newCentralVersion(central, 'Five'); // Version_5
      const report = await runSync(local);
      assert.equal(report.status, 'FAILED');
      assert.equal(report.error?.kind, 'DIVERGED');
      assert.equal(report.attempts, 1);
      assert.match(report.error!.message, /Version_4 differs: hashCode 0{32} here/);
      assert.deepEqual(report.versions, []);
      assert.equal((await syncStatus(local)).state, 'DIVERGED');

      const done = await rebaseline(local, 'Version_4', 'Hash repaired from the central record');
      assert.equal(done.status, 200, done.text);
      assert.notEqual((await syncStatus(local)).state, 'DIVERGED', 'right after the rebaseline');
      const after = await syncOk(local);
      assert.deepEqual(
        after.versions.map((v) => v.name),
        ['Version_5'],
      );
      await assertSameVersions(central, local);
      const audit = await fetchJson<{ audit: Json[] }>(local, '/api/metadata/sync/audit');
      assert.deepEqual(
        audit.body.audit
          .filter((a) => a.action !== 'PIN_SIGNING_KEY')
          .map((a) => (a.details as Json).to),
        ['Version_4', 'Version_2'],
        'newest first',
      );
    });
  });
}
