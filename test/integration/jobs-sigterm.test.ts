/**
 * `metasync serve` as a child process receives SIGTERM while a scheduled job's sync hangs on its
 * central: after the shutdown grace the execution and its sync report are INTERRUPTED, never
 * left RUNNING (issue 8 §2). PostgreSQL only: the child opens the test database by URL.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { killAllChildren, startChild } from '../support/child-server.ts';
import { createTestDatabase, postgresAvailable } from '../support/databases.ts';
import { openDatabase } from '../../src/store/db.ts';

if (await postgresAvailable())
  describe('SIGTERM during a scheduled run', () => {
    after(() => killAllChildren());

    it('marks the execution and its sync report INTERRUPTED', async () => {
      const db = await createTestDatabase('postgres');
      await (await db.open()).close(); // create and migrate
      const dir = await mkdtemp(path.join(os.tmpdir(), 'metasync-sigterm-'));
      const conf = path.join(dir, 'metasync.conf');
      await writeFile(conf, 'scheduler.shutdown.grace.ms = 300\nmetadata.sync.retry = 1\n');
      const hanging = createServer(() => undefined);
      await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
      const port = (hanging.address() as { port: number }).port;
      try {
        const url = (db.location as { databaseUrl: string }).databaseUrl;
        const child = await startChild(['--database-url', url, '--config', conf]);
        const json = { 'content-type': 'application/json' };
        const s = await child.request('/api/systemSettings', {
          method: 'POST',
          headers: json,
          body: JSON.stringify({
            keyRemoteInstanceUrl: `http://127.0.0.1:${port}`,
            keyRemoteInstanceUsername: 'admin',
            keyRemoteInstancePassword: 'x',
          }),
        });
        assert.equal(s.status, 200, await s.text());
        const created = await child.request('/api/jobConfigurations', {
          method: 'POST',
          headers: json,
          body: JSON.stringify({
            name: 'Hangs',
            jobType: 'META_DATA_SYNC',
            cronExpression: '0 0 3 ? * *',
          }),
        });
        const body = await created.text();
        assert.equal(created.status, 201, body);
        const id = (JSON.parse(body) as { response: { uid: string } }).response.uid;
        const run = await child.request(`/api/jobConfigurations/${id}/execute`, { method: 'POST' });
        assert.equal(run.status, 200, await run.text());
        const t0 = performance.now();
        await child.stop();
        assert.ok(performance.now() - t0 < 10_000, 'stopped within the grace period');

        const opened = await openDatabase({ kind: 'postgres', url });
        try {
          const ex = await opened.db.selectFrom('job_execution').selectAll().execute();
          assert.equal(ex.length, 1);
          assert.equal(ex[0]!.status, 'INTERRUPTED');
          assert.ok(ex[0]!.end);
          const report = await opened.db
            .selectFrom('sync_report')
            .select('status')
            .where('id', '=', ex[0]!.report_id!)
            .executeTakeFirstOrThrow();
          assert.equal(report.status, 'INTERRUPTED');
          const j = await opened.db
            .selectFrom('job_configuration')
            .selectAll()
            .executeTakeFirstOrThrow();
          assert.equal(j.last_executed_status, 'INTERRUPTED');
        } finally {
          await opened.close();
        }
      } finally {
        hanging.closeAllConnections();
        await new Promise((r) => hanging.close(r));
        await rm(dir, { recursive: true, force: true });
        await db.dispose();
      }
    });
  });
