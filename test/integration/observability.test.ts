/**
 * Operations endpoints (issue 10 §6): `/api/health/live` and `/api/health/ready` without
 * authentication (ready turns 503 on a pending migration or a cut database link), and `GET /metrics`
 * in Prometheus text format whose counters follow real imports, HTTP requests and sync runs
 * between a central and a local.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/store/db.ts';
import { backends, createTestDatabase } from '../support/databases.ts';
import { eventually } from '../support/eventually.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { startServer, type TestServer } from '../support/server.ts';
import {
  connect,
  createVersion,
  importMetadata,
  newDataElement,
  postSettings,
  runSync,
  syncOk,
  useCentralAndLocal,
} from '../support/sync.ts';

/** One sample of a metric in the text exposition (labels in the order the registry prints). */
async function sample(server: TestServer, name: string, labels = ''): Promise<number> {
  const res = await server.request('/metrics');
  assert.equal(res.status, 200);
  const text = await res.text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(labels ? `${name}{${labels}} ` : `${name} `));
  assert.ok(line, `no sample ${name}{${labels}} in\n${text.slice(0, 3000)}`);
  return Number(line.split(' ').pop());
}

for (const backend of await backends()) {
  describe(`operations endpoints on ${backend}`, () => {
    // The local follows another DHIS2 version, so keyStopMetadataSync can make a run fail.
    const { central, local } = useCentralAndLocal(backend, {
      syncRetry: 1,
      systemVersion: '2.40.0',
    });

    it('live and ready answer without authentication', async () => {
      const live = await local.request('/api/health/live', { auth: null });
      assert.equal(live.status, 200);
      assert.deepEqual(await live.json(), { status: 'UP' });
      assert.equal(live.headers.get('cache-control'), 'no-store');
      const ready = await local.request('/api/health/ready', { auth: null });
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), {
        status: 'UP',
        database: 'UP',
        migrations: 'UP',
        backend,
      });
    });

    it('ready is 503 while a migration is pending, and UP again once it is applied', async () => {
      const { db } = local.instance.database;
      const [row] = await sql<{
        name: string;
        timestamp: string;
      }>`select name, timestamp from metasync_migration order by name desc limit 1`
        .execute(db)
        .then((r) => r.rows);
      await sql`delete from metasync_migration where name = ${row!.name}`.execute(db);
      try {
        const ready = await local.request('/api/health/ready', { auth: null });
        assert.equal(ready.status, 503);
        const body = (await ready.json()) as { httpStatusCode: number; message: string };
        assert.equal(body.httpStatusCode, 503);
        assert.match(body.message, new RegExp(`migrations pending: ${row!.name}`));
        // Liveness does not depend on the database: the process is fine, only not ready.
        assert.equal((await local.request('/api/health/live', { auth: null })).status, 200);
      } finally {
        await sql`insert into metasync_migration (name, timestamp) values (${row!.name}, ${row!.timestamp})`.execute(
          db,
        );
      }
      assert.equal((await local.request('/api/health/ready', { auth: null })).status, 200);
    });

    it('metrics need authentication and expose the required families', async () => {
      assert.equal((await local.request('/metrics', { auth: null })).status, 401);
      const res = await local.request('/metrics');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      for (const family of [
        'metasync_sync_runs_total',
        'metasync_sync_duration_seconds',
        'metasync_versions_behind',
        'metasync_drift_objects',
        'metasync_http_request_duration_seconds',
        'metasync_import_objects_total',
        'metasync_sync_bytes_total',
        'metasync_sync_resumed_downloads_total',
        'metasync_process_resident_memory_bytes',
      ])
        assert.match(text, new RegExp(`^# TYPE ${family} `, 'm'), family);
    });

    it('HTTP requests are observed under their route template', async () => {
      const label = 'method="GET",route="/api/metadata/version/history",status_code="200"';
      const before = await sample(
        central,
        'metasync_http_request_duration_seconds_count',
        label,
      ).catch(() => 0);
      for (let i = 0; i < 3; i += 1) {
        const r = await central.request('/api/metadata/version/history?baseline=');
        await r.arrayBuffer();
      }
      assert.equal(
        await sample(central, 'metasync_http_request_duration_seconds_count', label),
        before + 3,
      );
      // Unknown URLs share one series instead of one per URL.
      await (await central.request('/nothing/here/1')).arrayBuffer();
      await (await central.request('/nothing/here/2')).arrayBuffer();
      const text = await (await central.request('/metrics')).text();
      assert.doesNotMatch(text, /nothing\/here/);
      assert.match(text, /route="unmatched"/);
    });

    it('API imports count what they wrote, not validations', async () => {
      const created = 'source="api",action="created"';
      const before = await sample(central, 'metasync_import_objects_total', created);
      await importMetadata(central, {
        dataElements: [newDataElement('Metrics A'), newDataElement('Metrics B')],
      });
      await importMetadata(
        central,
        { dataElements: [newDataElement('Metrics C')] },
        '?importMode=VALIDATE',
      );
      assert.equal(await sample(central, 'metasync_import_objects_total', created), before + 2);
    });

    it('sync runs: counted by status with their duration; versions behind after a failed run', async () => {
      await createVersion(central); // Version_1 holds the defaults and the two data elements
      await connect(local, central.url);
      const ok = await syncOk(local);
      assert.deepEqual(
        ok.versions.map((v) => v.name),
        ['Version_1'],
      );
      assert.equal(await sample(local, 'metasync_sync_runs_total', 'status="SUCCESS"'), 1);
      assert.equal(
        await sample(local, 'metasync_sync_duration_seconds_count', 'status="SUCCESS"'),
        1,
      );
      assert.ok(
        (await sample(local, 'metasync_import_objects_total', 'source="sync",action="created"')) >=
          2,
      );
      assert.equal(await sample(local, 'metasync_versions_behind'), 0);

      // Two more versions made by DHIS2 2.41.0; with keyStopMetadataSync the 2.40.0 local stops.
      await importMetadata(central, { dataElements: [newDataElement('Metrics D')] });
      await createVersion(central);
      await importMetadata(central, { dataElements: [newDataElement('Metrics E')] });
      await createVersion(central);
      await postSettings(local, { keyStopMetadataSync: true });
      const failed = await runSync(local);
      assert.equal(failed.status, 'FAILED');
      assert.equal(await sample(local, 'metasync_sync_runs_total', 'status="FAILED"'), 1);
      assert.equal(await sample(local, 'metasync_versions_behind'), 2);

      await postSettings(local, { keyStopMetadataSync: false });
      await syncOk(local);
      assert.equal(await sample(local, 'metasync_sync_runs_total', 'status="SUCCESS"'), 2);
      assert.equal(await sample(local, 'metasync_versions_behind'), 0);
    });
  });
}

describe('readiness when PostgreSQL becomes unreachable', () => {
  it('ready turns 503 while the database link is cut, live stays 200, ready recovers', async (t) => {
    if (!(await backends()).includes('postgres')) return t.skip('PostgreSQL is not reachable');
    const database = await createTestDatabase('postgres');
    await (await database.open()).close(); // migrates it
    const target = new URL((database.location as { databaseUrl: string }).databaseUrl);
    // The server reaches PostgreSQL only through the fault proxy, so the link can be cut.
    const proxy = await startFaultProxy({
      target: { host: target.hostname, port: Number(target.port || 5432) },
      mode: 'tcp',
    });
    const viaProxy = new URL(target);
    viaProxy.port = String(proxy.port);
    const server = await startServer({
      ...database,
      open: () => openDatabase({ kind: 'postgres', url: viaProxy.toString(), poolSize: 3 }),
    });
    t.after(async () => {
      await server.stop();
      await proxy.close();
      await database.dispose();
    });
    assert.equal((await server.request('/api/health/ready', { auth: null })).status, 200);

    proxy.set({ fault: { kind: 'reset' } });
    proxy.cut();
    const down = await server.request('/api/health/ready', { auth: null });
    assert.equal(down.status, 503);
    assert.match(((await down.json()) as { message: string }).message, /Database is not reachable/);
    assert.equal((await server.request('/api/health/live', { auth: null })).status, 200);

    proxy.clear();
    await eventually(async () =>
      assert.equal((await server.request('/api/health/ready', { auth: null })).status, 200),
    );
  });
});
