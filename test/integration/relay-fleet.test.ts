/**
 * One fleet and status both ways in a tree (issue 21 §4, §5): N → R → {D1 (metasync), D2 (an
 * emulated DHIS2 2.41 local)}, every hop real HTTP between real servers. R reports its
 * downstream to N after each run; N's `fleet?depth=all` lists D1 and D2 under R; a re-report
 * without a local drops it; a failing D1 counts in R's status; a DHIS2 upstream is never sent
 * the report. R runs on the backend under test (N and D1 on `centralBackend()`).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Fleet, FleetLocal } from '../../src/http/schemas/api-types.ts';
import { backends } from '../support/databases.ts';
import { RELEASES } from '../support/dhis2-local/index.ts';
import { localFor } from '../support/dhis2-local/scenario.ts';
import { startFakeDhis2Central } from '../support/fake-dhis2.ts';
import { useRelayTree } from '../support/relay-tree.ts';
import { ADMIN_PASSWORD, type TestServer } from '../support/server.ts';
import {
  connect,
  importMetadata,
  newDataElement,
  postSettings,
  runSync,
  syncOk,
  syncStatus,
} from '../support/sync.ts';
import { createVersion, fetchJson, uid } from '../support/versions.ts';

const fleet = async (server: TestServer, query = ''): Promise<FleetLocal[]> => {
  const r = await fetchJson<Fleet>(server, `/api/metadata/version/fleet${query}`);
  assert.equal(r.status, 200, r.text);
  return r.body.locals;
};

const systemId = async (server: TestServer): Promise<string> =>
  (await fetchJson<{ systemId: string }>(server, '/api/system/info')).body.systemId;

/** What a test compares of an entry: who, under whom, where and how it is. */
const row = (l: FleetLocal) => ({
  name: l.name,
  relay: l.relay?.name ?? null,
  version: l.version,
  state: l.state ?? null,
  behindBy: l.behindBy,
});
const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

const report = (server: TestServer, body: unknown, headers: Record<string, string> = {}) =>
  fetchJson(server, '/api/metasync/fleet/downstream', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

for (const backend of await backends()) {
  describe(`the fleet of a relay tree, relay on ${backend} (issue 21 §4, §5)`, () => {
    const { national, relay, district } = useRelayTree(backend);
    let relayId = '';
    before(async () => {
      await importMetadata(national, { dataElements: [newDataElement('Fleet')] });
      await createVersion(national, 'ATOMIC');
      relayId = await systemId(relay);
    });

    it("N's fleet?depth=all lists D1 and D2 under R and R as direct; without depth only R", async () => {
      await syncOk(relay);
      await syncOk(district);
      // A DHIS2 local tells its version at its next history call: two runs.
      const dhis2 = localFor(relay, RELEASES['2.41']!);
      for (const run of [await dhis2.runMetadataSync(), await dhis2.runMetadataSync()])
        assert.equal(run.status, 'SUCCESS', run.failure ?? '');
      const second = await syncOk(relay);
      assert.deepEqual(second.fleet, {
        status: 'SENT',
        locals: 2,
        message: 'Reported 2 downstream local(s) to the central.',
      });

      const direct = await fleet(national);
      assert.deepEqual(direct.map(row), [
        { name: 'Region', relay: null, version: 'Version_1', state: 'SUCCESS', behindBy: 0 },
      ]);
      assert.deepEqual(await fleet(national, '?depth=1'), direct);
      const tree = await fleet(national, '?depth=all');
      assert.deepEqual(tree.map(row).sort(byName), [
        // D2 sends no system name: it is listed by its user, and tells no run state.
        { name: 'admin', relay: 'Region', version: 'Version_1', state: null, behindBy: 0 },
        { name: 'District', relay: 'Region', version: 'Version_1', state: 'SUCCESS', behindBy: 0 },
        { name: 'Region', relay: null, version: 'Version_1', state: 'SUCCESS', behindBy: 0 },
      ]);
      for (const l of tree.filter((x) => x.relay))
        assert.equal(l.relay?.systemId, relayId, JSON.stringify(l));
      // behindBy below R counts against N's own versions: a new one at N puts all three behind.
      await createVersion(national, 'BEST_EFFORT', { force: true });
      assert.deepEqual(
        (await fleet(national, '?depth=all')).map((l) => l.behindBy),
        [1, 1, 1],
      );
      await syncOk(relay);
    });

    it("R's status shows its upstream by name and counts its downstream; a FAILED D1 counts as failing", async () => {
      let status = await syncStatus(relay);
      assert.deepEqual(status.relay, {
        upstream: { url: national.url, name: 'National' },
        downstream: { locals: 2, behind: 2, failing: 0, diverged: 0 },
      });
      // D1's run fails (a wrong password); its next history call (a status refresh) tells R.
      await postSettings(district, {
        keyRemoteInstanceUrl: relay.url,
        keyRemoteInstanceUsername: 'admin',
        keyRemoteInstancePassword: 'wrong',
      });
      const failed = await runSync(district);
      assert.equal(failed.status, 'FAILED');
      await connect(district, relay.url);
      await syncStatus(district, { refresh: true });
      status = await syncStatus(relay);
      assert.deepEqual(status.relay?.downstream, {
        locals: 2,
        behind: 2,
        failing: 1,
        diverged: 0,
      });
      // R's next run carries it up: N sees D1 failing under R.
      await syncOk(relay);
      const d1 = (await fleet(national, '?depth=all')).find((l) => l.name === 'District');
      assert.equal(d1?.state, 'FAILED', JSON.stringify(d1));
      // A run that succeeds again clears it at R at once (its history call after the import).
      await syncOk(district);
      assert.equal((await syncStatus(relay)).relay?.downstream.failing, 0);
    });

    it('a re-report without D2 drops D2 from the tree; what other relays reported stays', async () => {
      // Another relay's report, sent as R sends its own.
      const other = uid();
      const q = {
        systemId: uid(),
        name: 'Elsewhere',
        user: 'sync',
        address: '10.0.0.9',
        version: 'Version_1',
        lastSeen: new Date().toISOString(),
        state: 'DIVERGED',
        relay: other,
      };
      const sent = await report(national, { locals: [q] }, { 'x-metasync-system-id': other });
      assert.equal(sent.status, 200, sent.text);
      assert.deepEqual(sent.body, { relay: other, locals: 1 });
      // R forgets D2 (as if it never polled again), then reports.
      await relay.instance.database.db
        .deleteFrom('fleet_local')
        .where('system_id', 'is', null)
        .execute();
      const again = await syncOk(relay);
      assert.equal(again.fleet?.locals, 1);
      assert.deepEqual((await fleet(national, '?depth=all')).map((l) => l.name).sort(), [
        'District',
        'Elsewhere',
        'Region',
      ]);
      const elsewhere = (await fleet(national, '?depth=all')).find((l) => l.name === 'Elsewhere');
      assert.deepEqual(elsewhere?.relay, { systemId: other, name: null });
    });

    it('refuses a report without the reporting relay’s system id, or one too large', async () => {
      const none = await report(national, { locals: [] });
      assert.equal(none.status, 400, none.text);
      assert.match(none.text, /X-Metasync-System-Id/);
      const entry = {
        systemId: null,
        name: 'x',
        user: 'u',
        address: 'a',
        version: null,
        lastSeen: new Date().toISOString(),
        state: null,
        relay: 'r',
      };
      const big = await report(
        national,
        { locals: Array.from({ length: 10_001 }, () => entry) },
        { 'x-metasync-system-id': 'too-big' },
      );
      assert.equal(big.status, 400, big.text.slice(0, 300));
      assert.ok(!(await fleet(national, '?depth=all')).some((l) => l.relay?.systemId === 'r'));
    });

    it('a DHIS2 upstream is never sent the report (the run reads no metasyncVersion)', async () => {
      const version = { name: 'Version_1', created: '2016-07-01T00:00:00.000+0000', id: uid() };
      const fake = await startFakeDhis2Central({
        username: 'admin',
        password: 'district',
        versions: [{ entity: version, snapshot: { dataElements: [newDataElement('F')] } }],
        published: ['Version_1'],
        firstHistory: { metadataversions: [version] },
      });
      try {
        await connect(relay, fake.url, 'admin', 'district');
        const run = await runSync(relay);
        // R holds N's chain, not the fake's: the run fails at the chain check, past the ping.
        assert.equal(run.central?.metasync, false, JSON.stringify(run.central));
        assert.equal(run.fleet, undefined);
        assert.ok(
          !fake.requests.some((r) => r.includes('/api/metasync/fleet/')),
          fake.requests.join('\n'),
        );
        assert.ok(fake.requests.some((r) => r.includes('/api/system/info')));
      } finally {
        await connect(relay, national.url, 'admin', ADMIN_PASSWORD);
        await fake.stop();
      }
    });
  });
}
