/**
 * A tree of servers (issue 21 §1, §3, §6): national central N → relay R → district locals D1 (a
 * metasync server) and D2 (an emulated DHIS2 2.41 local, test/support/dhis2-local), over five
 * versions of both types with deletions carried. Every tier serves the same versions, byte for
 * byte; D1's metadata is N's; R never makes a version of its own; with the N–R link cut, D1 still
 * reaches R's head, and R catches up once the link returns.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { backends } from '../support/databases.ts';
import { Dhis2Local } from '../support/dhis2-local/index.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { useRelayTree } from '../support/relay-tree.ts';
import { ADMIN_PASSWORD, type TestServer } from '../support/server.ts';
import {
  assertSameObjects,
  comparableVersions,
  connect,
  createVersion,
  importMetadata,
  listVersions,
  newDataElement,
  objects,
  runSync,
  syncOk,
} from '../support/sync.ts';
import { fetchJson, md5, setSetting } from '../support/versions.ts';

type Json = Record<string, unknown>;

async function snapshotBytes(server: TestServer, name: string): Promise<Buffer> {
  const r = await server.request(`/api/metadata/version/${name}/data`);
  assert.equal(r.status, 200, `${name} at ${server.url}`);
  return Buffer.from(await r.arrayBuffer());
}

/** Every tier lists N's versions (name, id, type, created, hashCode) and serves N's bytes. */
async function assertSameChain(national: TestServer, ...below: TestServer[]): Promise<string[]> {
  const theirs = await listVersions(national);
  for (const server of below)
    assert.deepEqual(comparableVersions(await listVersions(server)), comparableVersions(theirs));
  for (const v of theirs) {
    const bytes = await snapshotBytes(national, v.name);
    assert.equal(md5(bytes), v.hashCode, `${v.name}: N's bytes are its hashCode`);
    for (const server of below)
      assert.ok(bytes.equals(await snapshotBytes(server, v.name)), `${v.name} at ${server.url}`);
  }
  return theirs.map((v) => v.name);
}

for (const backend of await backends()) {
  describe(`a relay tree N → R → {D1, D2 (DHIS2 2.41)}, relay on ${backend}`, () => {
    const { national, relay, district } = useRelayTree(backend);
    let link: FaultProxy;
    let dhis2: Dhis2Local;
    const kept: Json[] = [];
    let gone: Json;
    before(async () => {
      // R reaches N through a proxy the test can cut: the N–R link of a real tree.
      link = await startFaultProxy({
        target: { host: '127.0.0.1', port: Number(new URL(national.url).port) },
        mode: 'http',
      });
      await connect(relay, link.url);
      await setSetting(national, 'keyVersionIncludeDeletions', true);
      dhis2 = new Dhis2Local({
        release: '2.41.9.1',
        remote: { url: relay.url, username: 'admin', password: ADMIN_PASSWORD },
      });
    });
    after(() => link?.close());

    it('five versions (ATOMIC and BEST_EFFORT, a deletion carried) reach D1 and D2 through R unchanged', async () => {
      const first = [newDataElement('Tree A'), newDataElement('Tree B'), newDataElement('Tree C')];
      gone = first[0]!;
      kept.push(...first.slice(1));
      await importMetadata(national, { dataElements: first });
      await createVersion(national, 'ATOMIC'); // Version_1
      await importMetadata(national, {
        dataElements: [{ ...kept[0], name: `${String(kept[0]!.name)} renamed` }],
      });
      await createVersion(national, 'BEST_EFFORT'); // Version_2

      // R syncs first, its locals after it, then N moves on and the tree follows again.
      await syncOk(relay);
      await syncOk(district);
      assert.equal((await dhis2.runMetadataSync()).status, 'SUCCESS');

      await importMetadata(
        national,
        { dataElements: [{ id: gone!.id }] },
        '?importStrategy=DELETE',
      );
      await createVersion(national, 'ATOMIC'); // Version_3: the deletion
      await importMetadata(national, {
        categoryOptions: [{ id: 'coTree00001', name: 'Tree option', shortName: 'Tree option' }],
      });
      await createVersion(national, 'BEST_EFFORT'); // Version_4
      await importMetadata(national, { dataElements: [newDataElement('Tree D')] });
      await createVersion(national, 'ATOMIC'); // Version_5

      const r = await syncOk(relay);
      assert.deepEqual(
        r.versions.map((v) => [v.name, v.status]),
        ['Version_3', 'Version_4', 'Version_5'].map((n) => [n, 'SUCCESS']),
      );
      const d1 = await syncOk(district);
      assert.equal(d1.toVersion, 'Version_5');
      const d2 = await dhis2.runMetadataSync();
      assert.equal(d2.status, 'SUCCESS', d2.failure ?? '');
      assert.deepEqual(d2.accepted, ['Version_3', 'Version_4', 'Version_5']);

      const names = await assertSameChain(national, relay, district);
      assert.equal(names.length, 5);
      // The DHIS2 local saved N's names, ids and hashes, and accepted N's exact bytes.
      const ns = await listVersions(national);
      assert.deepEqual(
        dhis2.state.versions.map((v) => [v.name, v.id, v.hashCode, v.type]),
        ns.map((v) => [v.name, v.id, v.hashCode, v.type]),
      );
      for (const v of ns)
        assert.ok(
          Buffer.from(dhis2.state.snapshots.get(v.name) ?? '', 'utf8').equals(
            await snapshotBytes(national, v.name),
          ),
          `D2's ${v.name}`,
        );
      // The deletion was carried down both hops; D1's metadata is N's.
      const v3 = JSON.parse((await snapshotBytes(relay, 'Version_3')).toString('utf8')) as Json;
      assert.deepEqual(
        (v3.deletedObjects as Json[]).map((d) => d.uid),
        [gone!.id],
      );
      await assertSameObjects(national, relay);
      await assertSameObjects(national, district);
      const ids = (await objects(district, 'dataElements', 'id')).map((d) => d.id);
      assert.ok(!ids.includes(gone!.id), 'the deleted data element is gone at D1');
    });

    it('R never makes a version of its own, not even forced, and names its upstream', async () => {
      await importMetadata(relay, { dataElements: [newDataElement('Relay own')] });
      for (const force of ['', '&force=true']) {
        const refused = await fetchJson<Json>(
          relay,
          `/api/metadata/version/create?type=ATOMIC${force}`,
          { method: 'POST' },
        );
        assert.equal(refused.status, 409, refused.text);
        assert.ok(String(refused.body.message).includes(link.url), refused.text);
      }
      assert.equal((await listVersions(relay)).length, 5);
      // Put back as N has it, so the tree's metadata stays N's for what follows.
      const own = (await objects(relay, 'dataElements', 'id,name')).filter((d) =>
        String(d.name).startsWith('Relay own'),
      );
      await importMetadata(relay, { dataElements: own }, '?importStrategy=DELETE');
    });

    it('with the N–R link cut, D1 still reaches R’s head; R catches up once it returns', async () => {
      // N makes Version_6 and R takes it; the link goes down before D1 and D2 have it, and N
      // makes Version_7 out of R's reach.
      await importMetadata(national, { dataElements: [newDataElement('Tree E')] });
      await createVersion(national, 'BEST_EFFORT'); // Version_6
      await syncOk(relay);
      link.set({ fault: { kind: 'reset' } });
      await importMetadata(national, { dataElements: [newDataElement('Tree F')] });
      await createVersion(national, 'ATOMIC'); // Version_7, out of R's reach

      const cut = await runSync(relay);
      assert.equal(cut.status, 'FAILED');
      assert.equal(cut.error?.kind, 'REMOTE_UNREACHABLE', JSON.stringify(cut.error));
      const d1 = await syncOk(district);
      assert.deepEqual(
        d1.versions.map((v) => v.name),
        ['Version_6'],
      );
      assert.equal((await dhis2.runMetadataSync()).status, 'SUCCESS');
      assert.equal(dhis2.state.versions.at(-1)?.name, 'Version_6');

      link.clear();
      assert.deepEqual(
        (await syncOk(relay)).versions.map((v) => v.name),
        ['Version_7'],
      );
      assert.equal((await syncOk(district)).toVersion, 'Version_7');
      assert.deepEqual((await dhis2.runMetadataSync()).accepted, ['Version_7']);
      await assertSameChain(national, relay, district);
      await assertSameObjects(national, district);
    });
  });
}
