/**
 * kill -9 of a local process at random points of sync runs (issue 10 §1). The local is a real
 * `metasync serve` child (test/support/child-server.ts) on a PGlite data directory or a
 * PostgreSQL database; each round gives it work (1–2 new central versions of 300–1,500 objects,
 * new and edited data values pushed in pages of 3), starts a run, kills the process after a
 * random delay drawn from the time such a run takes, restarts it on the same data and checks:
 * (a) the local is at a recorded version with the central's metadata at that version, (b) no
 * data value duplicated or foreign on the central, (c) the killed run's report reads INTERRUPTED
 * as soon as the restarted local answers, before any new run (or it had finished before the
 * kill), (d) the next run succeeds, reaches the newest version, and the central then holds
 * exactly the local's values.
 *
 * METASYNC_FAULT_KILL_RUNS sets the rounds per backend (25, or 4 when METASYNC_FAULTS_BOUNDED=1);
 * METASYNC_FAULT_SEED replays a schedule (the seed is printed).
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  killAllChildren,
  locationArgs,
  startChild,
  type ChildServer,
} from '../support/child-server.ts';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { ADMIN_PASSWORD } from '../support/server.ts';
import { centralBackend, type SyncReportJson } from '../support/sync.ts';
import {
  LocalValues,
  assertAtRecordedVersion,
  assertRecovers,
  getJson,
  prng,
  startCentral,
  type Central,
} from './harness.ts';

const BOUNDED = process.env.METASYNC_FAULTS_BOUNDED === '1';
const ROUNDS = Number(process.env.METASYNC_FAULT_KILL_RUNS ?? (BOUNDED ? 4 : 25));
const SEED = Number(process.env.METASYNC_FAULT_SEED ?? randomInt(2 ** 31));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function settings(child: ChildServer, values: Record<string, unknown>) {
  const r = await getJson(child, '/api/systemSettings', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(values),
  });
  assert.equal(r.status, 200, r.text);
}

for (const backend of await backends()) {
  describe(`kill -9 of a ${backend} local at random points of ${ROUNDS} sync runs`, () => {
    let central: Central;
    let database: TestDatabase;
    let confDir: string;
    let args: string[];
    before(async () => {
      central = await startCentral(await centralBackend());
      await central.nextVersion();
      database = await createTestDatabase(backend);
      // PGlite: the migrated template is unpacked into the data dir here (initdb takes ~10 s).
      if (backend === 'pglite') await (await database.open()).close();
      confDir = await mkdtemp(path.join(os.tmpdir(), 'metasync-faults-'));
      const conf = path.join(confDir, 'metasync.conf');
      await writeFile(
        conf,
        [
          'metadata.sync.retry = 2',
          'metadata.sync.retry.time.frequency.millisec = 10',
          'metadata.sync.remote.timeout.millisec = 20000',
        ].join('\n'),
      );
      args = ['--config', conf, ...locationArgs(database)];
    });
    after(async () => {
      killAllChildren();
      await database?.dispose();
      await central?.dispose();
      if (confDir) await rm(confDir, { recursive: true, force: true });
    });

    it('leaves the local at a recorded version, the data once on the central, and recovers', async (t) => {
      t.diagnostic(`seed ${SEED} (replay: METASYNC_FAULT_SEED=${SEED})`);
      console.log(`kill-runs ${backend}: seed ${SEED}`);
      const random = prng(SEED);
      const values = new LocalValues(random);
      let child = await startChild(args);
      await settings(child, {
        keyRemoteInstanceUrl: central.server.url,
        keyRemoteInstanceUsername: 'admin',
        keyRemoteInstancePassword: ADMIN_PASSWORD,
        dataValuesPageSize: 3,
      });
      await assertRecovers(central, child);

      /** Gives the next run work: new central versions and new or edited local values. */
      const work = async () => {
        const versions = random() < 0.4 ? 2 : 1;
        for (let v = 0; v < versions; v++)
          await central.nextVersion(300 + Math.floor(random() * 1200));
        await values.write(child, Math.floor(random() * 8), random() < 0.5 ? 1 : 0);
      };

      /** Starts a run; the answer (202) comes once its report is saved and the run is going. */
      const startRun = async () => {
        const started = await getJson<{ id: string }>(child, '/api/metadata/sync/run', {
          method: 'POST',
        });
        assert.equal(started.status, 202, started.text);
        return started.body.id;
      };
      const report = async (id: string) =>
        (await getJson<SyncReportJson>(child, `/api/metadata/sync/reports/${id}`)).body;

      // How long such a run takes here: kill delays are drawn from 0 to 1.2 times the median of
      // the runs seen whole (two calibration runs, the first one warming up, then every killed
      // run that had finished before its kill).
      const lengths: number[] = [];
      const runLength = (r: SyncReportJson) => Date.parse(r.endTime!) - Date.parse(r.startTime);
      for (let i = 0; i < 2; i++) {
        await work();
        const id = await startRun();
        while ((await report(id)).status === 'RUNNING') await sleep(10);
        lengths.push(runLength(await report(id)));
      }
      lengths.shift();
      const window = () => {
        const sorted = [...lengths].sort((a, b) => a - b);
        return Math.max(100, Math.round(sorted[Math.floor(sorted.length / 2)]! * 1.2));
      };
      await assertAtRecordedVersion(central, child);
      t.diagnostic(`a run takes ~${lengths[0]} ms; kills land in 0–${window()} ms at first`);

      const landed: Record<string, number> = {};
      const restarts: number[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        await work();
        const delay = Math.floor(random() * window());
        const id = await startRun();
        await sleep(delay);
        await child.kill();
        const r0 = performance.now();
        child = await startChild(args);
        restarts.push(performance.now() - r0);
        const where = `round ${round} (seed ${SEED}, kill after ${delay} ms)`;

        // (a) and (b) before anything runs again.
        await assertAtRecordedVersion(central, child).catch((e: Error) => {
          throw new Error(`${where}: ${e.message}`, { cause: e });
        });
        await values.assertOnCentral(central.server, child, false);
        const killed = await report(id);
        assert.notEqual(killed.status, 'RUNNING', `${where}: a dead run reads INTERRUPTED at once`);
        // Where the kill landed, as far as the saved report tells: its last step, and how many
        // versions of the run were imported.
        const last = killed.steps.filter((s) => s.status !== 'NOT_EXECUTED').at(-1);
        const at =
          killed.status === 'INTERRUPTED'
            ? `${last ? `${last.name} ${last.status}` : 'start'}` +
              (last?.name === 'versions' ? `, ${killed.versions.length} imported` : '')
            : `finished ${killed.status}`;
        landed[at] = (landed[at] ?? 0) + 1;
        if (killed.status !== 'INTERRUPTED') lengths.push(runLength(killed));
        if (killed.status === 'INTERRUPTED') {
          assert.equal(killed.error?.kind, 'INTERRUPTED', where);
          assert.ok(killed.endTime, where);
        }

        // (d), then (c) again: the next run succeeds and the dead run's report stays closed.
        await assertRecovers(central, child);
        const closed = await report(id);
        assert.deepEqual(closed.status, killed.status, where);
        assert.notEqual(killed.status, 'FAILED', `${where}: ${JSON.stringify(killed.error)}`);
        await assertAtRecordedVersion(central, child);
        await values.assertOnCentral(central.server, child, true);
      }
      await child.stop();
      const mean = restarts.reduce((a, b) => a + b, 0) / restarts.length;
      t.diagnostic(`kills landed: ${JSON.stringify(landed)}`);
      t.diagnostic(`restart of the local: mean ${Math.round(mean)} ms`);
      console.log(`kill-runs ${backend}: ${ROUNDS} rounds, landed ${JSON.stringify(landed)}`);
    });

    // Issue 18 §6: a kill while a large version is being imported type by type from its stream
    // (the central's versions carry organisation units and data elements): the version's first
    // type is written in the open transaction when the kill lands, and none of it may remain.
    it('leaves nothing of a version killed in the middle of its streamed import', async (t) => {
      let child = await startChild(args);
      await assertRecovers(central, child);
      const size = 4000;
      await central.nextVersion(size);
      const t0 = performance.now();
      await assertRecovers(central, child);
      let delay = Math.round((performance.now() - t0) * 0.6);
      let interrupted = false;
      for (let attempt = 0; attempt < 4 && !interrupted; attempt++) {
        const before = await assertAtRecordedVersion(central, child);
        await central.nextVersion(size);
        const started = await getJson<{ id: string }>(child, '/api/metadata/sync/run', {
          method: 'POST',
        });
        assert.equal(started.status, 202, started.text);
        await sleep(delay);
        await child.kill();
        child = await startChild(args);
        const killed = (
          await getJson<SyncReportJson>(child, `/api/metadata/sync/reports/${started.body.id}`)
        ).body;
        const at = await assertAtRecordedVersion(central, child);
        t.diagnostic(`kill after ${delay} ms: ${killed.status}, local at ${at}`);
        if (killed.status === 'INTERRUPTED') {
          interrupted = true;
          assert.equal(at, before, 'the killed version left nothing behind');
          assert.equal(killed.error?.kind, 'INTERRUPTED');
          // The kill landed in the version: either before anything of it was saved (the history
          // done, the next step not yet) or after a download's progress saved the running
          // versions step (issue 19 §6: the UI's live view), never past it.
          const step = killed.steps.filter((s) => s.status !== 'NOT_EXECUTED').at(-1);
          assert.ok(
            ['history SUCCESS', 'versions RUNNING'].includes(`${step?.name} ${step?.status}`),
            `the kill landed at ${step?.name} ${step?.status}`,
          );
          assert.deepEqual(killed.versions, []);
        } else delay = Math.round(delay / 2); // the run was faster than measured: kill earlier
        await assertRecovers(central, child);
        await assertAtRecordedVersion(central, child);
      }
      assert.ok(interrupted, 'no kill landed inside the import');
      await child.stop();
    });
  });
}
