/**
 * kill -9 of a local process in the middle of importing a 10,000-object version (issue 6 §2:
 * import and record commit in one transaction), then a restart on the same data directory or
 * database: the local is at no version with none of the objects, or at Version_1 with all of
 * them, never in between; and the dead run's report reads INTERRUPTED as soon as the restarted
 * process is up (issue 17 §6), not when its lease lapses or a new run starts.
 *
 * The run lease lives 60 s (src/sync/sync-service.ts) and a killed process cannot release it; but
 * the lease names its holder as host:pid, and a holder pid on this host that no longer exists is
 * dead: the restarted process closes its report at start-up and frees the lease.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateMetadata } from '../../bench/generate.ts';
import {
  killAllChildren,
  locationArgs,
  startChild,
  type ChildServer,
} from '../support/child-server.ts';
import { backends, createTestDatabase } from '../support/databases.ts';
import { ADMIN_PASSWORD } from '../support/server.ts';
import {
  centralBackend,
  count,
  createVersion,
  importMetadata,
  start,
  type Started,
  type StatusJson,
  type SyncReportJson,
} from '../support/sync.ts';
import { enableVersioning } from '../support/versions.ts';

type Json = Record<string, unknown>;
const GENERATED = generateMetadata(10_000);
const TYPES = Object.keys(GENERATED);

async function json<T = Json>(child: ChildServer, urlPath: string, init: RequestInit = {}) {
  const res = await child.request(urlPath, init);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T, text };
}

/** Counts per type as the child serves them. */
async function counts(child: ChildServer): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const type of TYPES) {
    const r = await json<Record<string, unknown[]>>(child, `/api/${type}?paging=false&fields=id`);
    assert.equal(r.status, 200, r.text.slice(0, 300));
    out[type] = r.body[type]!.length;
  }
  return out;
}

describe('kill -9 of a local in the middle of a 10,000-object sync', () => {
  let c: Started;
  let centralTotal: Record<string, number>;
  before(async () => {
    c = await start(await centralBackend());
    await enableVersioning(c.server);
    await importMetadata(c.server, GENERATED);
    await createVersion(c.server, 'ATOMIC');
    centralTotal = {};
    for (const type of TYPES) centralTotal[type] = await count(c.server, type);
  });
  after(async () => {
    killAllChildren();
    await c?.dispose();
  });

  for (const backend of ['pglite', 'postgres'] as const)
    it(`leaves the ${backend} local at no version or at Version_1, never between`, async (t) => {
      if (!(await backends()).includes(backend)) return t.skip('PostgreSQL is not reachable');
      const database = await createTestDatabase(backend);
      // PGlite: the migrated template is unpacked into the data dir here (initdb takes ~10 s).
      if (backend === 'pglite') await (await database.open()).close();
      const args = locationArgs(database);
      try {
        // 1. A local with nothing but the defaults starts pulling Version_1; it is killed mid-run.
        let child = await startChild(args);
        const fresh = await counts(child);
        const settings = await json(child, '/api/systemSettings', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            keyRemoteInstanceUrl: c.server.url,
            keyRemoteInstanceUsername: 'admin',
            keyRemoteInstancePassword: ADMIN_PASSWORD,
          }),
        });
        assert.equal(settings.status, 200, settings.text);
        const started = await json<{ id: string }>(child, '/api/metadata/sync/run', {
          method: 'POST',
        });
        assert.equal(started.status, 202, started.text);
        const dead = started.body.id;
        // The history step is saved just before the download and the import begin.
        let seen: SyncReportJson;
        for (;;) {
          seen = (await json<SyncReportJson>(child, `/api/metadata/sync/reports/${dead}`)).body;
          if (seen.steps.find((s) => s.name === 'history')?.status === 'SUCCESS') break;
          assert.equal(seen.status, 'RUNNING', JSON.stringify(seen.error));
          await new Promise((r) => setTimeout(r, 10));
        }
        // Download and parse take ~0.2 s, the import ~1.5 s: kill inside the import. (No request
        // here: on PGlite it would wait for the import's transaction to end.)
        await new Promise((r) => setTimeout(r, 300));
        await child.kill();

        // 2. Restarted: a consistent state, and the dead run still holds the lease.
        child = await startChild(args);
        const versions = (
          await json<{ metadataversions: { name: string }[] }>(child, '/api/metadata/versions')
        ).body.metadataversions.map((v) => v.name);
        const now = await counts(child);
        if (versions.length === 0) {
          t.diagnostic('killed before the commit: no version, no objects');
          assert.deepEqual(now, fresh);
        } else {
          t.diagnostic('killed after the commit: Version_1 with every object');
          assert.deepEqual(versions, ['Version_1']);
          assert.deepEqual(now, centralTotal);
        }
        // The dead run's report was never finished: it was killed while it ran. Its holder (this
        // host, a pid that no longer exists) is gone, so it reads INTERRUPTED from the restart
        // on, and the status does not claim a run (issue 17 §6), before any new run.
        const stale = await json<SyncReportJson>(child, `/api/metadata/sync/reports/${dead}`);
        assert.equal(stale.body.status, 'INTERRUPTED', 'closed at start-up');
        assert.equal(stale.body.error?.kind, 'INTERRUPTED');
        assert.ok(stale.body.endTime);
        assert.ok(
          stale.body.steps.some((s) => s.name === 'history' && s.status === 'SUCCESS'),
          'the kill landed while the run went on',
        );
        const status = await json<StatusJson & { runningReport: string | null }>(
          child,
          '/api/metadata/sync/status',
        );
        assert.notEqual(status.body.state, 'RUNNING');
        assert.equal(status.body.runningReport, null);
        // 3. The lease was freed with the dead run's report: a new run starts at once instead of
        //    waiting for the 60 s lease to lapse.
        const run = await json<SyncReportJson>(child, '/api/metadata/sync/run?wait=true', {
          method: 'POST',
        });
        assert.equal(run.status, 200, run.text.slice(0, 1000));
        assert.equal(run.body.status, 'SUCCESS', JSON.stringify(run.body.error));
        assert.deepEqual(
          run.body.versions.map((v) => v.name),
          versions.length === 0 ? ['Version_1'] : [],
        );
        assert.deepEqual(await counts(child), centralTotal);
        const old = await json<SyncReportJson>(child, `/api/metadata/sync/reports/${dead}`);
        assert.equal(old.body.status, 'INTERRUPTED');
        assert.equal(old.body.error?.kind, 'INTERRUPTED');
        assert.ok(old.body.endTime);
        await child.stop();
      } finally {
        killAllChildren();
        await database.dispose();
      }
    });
});
