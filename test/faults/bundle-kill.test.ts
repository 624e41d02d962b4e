/**
 * kill -9 during an offline bundle import (issue 20 §6): the local is a `metasync serve` child
 * (child-server.ts) that has never been online; its administrator pinned the central's key by
 * hand. It is killed while the bundle's versions are being imported (after the first one is
 * recorded, at a random point of the next). After the restart it must be consistent — exactly at
 * a version the central recorded, with that version's metadata, the killed run INTERRUPTED —
 * and the same bundle imported again must complete, skipping what was already applied.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import { after, before, describe, it } from 'node:test';
import { killAllChildren, locationArgs, startChild } from '../support/child-server.ts';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { centralBackend, type SyncReportJson } from '../support/sync.ts';
import { assertAtRecordedVersion, getJson, startCentral, type Central } from './harness.ts';

const VERSIONS = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of await backends()) {
  describe(`kill -9 of a ${backend} local during a bundle import`, () => {
    let central: Central;
    let database: TestDatabase;
    let bundle: Buffer;
    before(async () => {
      central = await startCentral(await centralBackend());
      // Versions of some weight, so that importing one takes long enough to be killed inside.
      for (let i = 0; i < VERSIONS; i++) await central.nextVersion(300);
      const res = await central.server.request('/api/metasync/bundles');
      bundle = Buffer.from(await res.arrayBuffer());
      assert.equal(res.status, 200);
      database = await createTestDatabase(backend);
      // PGlite: the migrated template is unpacked into the data dir here.
      if (backend === 'pglite') await (await database.open()).close();
    });
    after(async () => {
      killAllChildren();
      await database?.dispose();
      await central?.dispose();
    });

    it('leaves a consistent local that completes on the next import', async (t) => {
      const args = locationArgs(database);
      let child = await startChild(args);
      const { publicKeyPem } = await central.server.instance.services.signing.publicKey();
      const pin = await getJson(child, '/api/metasync/signing-key/pinned', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ publicKey: publicKeyPem, reason: 'read out over the phone' }),
      });
      assert.equal(pin.status, 200, pin.text);
      const upload = (query = '') =>
        getJson<SyncReportJson & { id: string }>(child, `/api/metasync/bundles${query}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-tar' },
          body: bundle,
        });

      const started = await upload();
      assert.equal(started.status, 202, started.text.slice(0, 500));
      const id = started.body.id;
      // Killed inside the second version or later: after the first is recorded, at a random
      // moment of what follows.
      const t0 = performance.now();
      for (;;) {
        const r = await getJson<SyncReportJson>(child, `/api/metadata/sync/reports/${id}`);
        assert.notEqual(r.body.status, 'FAILED', r.text.slice(0, 1000));
        if (r.body.versions.length >= 1 || r.body.status === 'SUCCESS') break;
        assert.ok(performance.now() - t0 < 120_000, 'the import never got going');
        await sleep(10);
      }
      const delay = Math.floor(Math.random() * 200);
      await sleep(delay);
      const killedPid = child.pid;
      await child.kill();

      child = await startChild(args);
      // The killed process's upload is gone: the new one removed it at start.
      const uploads = (await readdir(os.tmpdir())).filter((f) =>
        f.startsWith(`metasync-upload-${killedPid}-`),
      );
      assert.deepEqual(uploads, []);
      const at = await assertAtRecordedVersion(central, child);
      const killed = await getJson<SyncReportJson>(child, `/api/metadata/sync/reports/${id}`);
      t.diagnostic(`killed ${delay} ms after the first version, at ${at}: ${killed.body.status}`);
      assert.ok(['INTERRUPTED', 'SUCCESS'].includes(killed.body.status), killed.body.status);

      const again = await upload('?wait=true');
      assert.equal(again.status, 200, again.text.slice(0, 1000));
      assert.equal(again.body.status, 'SUCCESS', JSON.stringify(again.body.error));
      const n = Number(at.split('_')[1]);
      assert.deepEqual(
        again.body.versions.map((v) => v.name),
        Array.from({ length: VERSIONS - n }, (_, i) => `Version_${n + 1 + i}`),
      );
      assert.equal(await assertAtRecordedVersion(central, child), central.latest());
      await child.stop();
    });
  });
}
