/**
 * The embedded database's small footprint (issue 18 §4, docs/operations.md "Memory of the
 * embedded database"): a new data directory is created by initdb in a child process, and PGlite
 * runs with 8 MB of shared buffers, whether the server opens it or a test clones the template.
 */
import assert from 'node:assert/strict';
import { access, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import {
  migrateToLatest,
  openDatabase,
  pendingMigrations,
  type OpenDatabase,
} from '../../src/store/db.ts';
import { createTestDatabase } from '../support/databases.ts';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'metasync-footprint-'));
after(() => rm(tmp, { recursive: true, force: true }));

const setting = async (database: OpenDatabase, name: string) => {
  const { rows } = await sql<{
    setting: string;
  }>`select current_setting(${name}) as setting`.execute(database.db);
  return rows[0]!.setting;
};

describe('PGlite footprint', () => {
  it('a new data directory gets a cluster, opens with 8 MB of shared buffers, and reopens with its data', async () => {
    const dir = path.join(tmp, 'fresh');
    const first = await openDatabase({ kind: 'pglite', dataDir: dir });
    await access(path.join(dir, 'PG_VERSION'));
    assert.equal(await setting(first, 'shared_buffers'), '8MB');
    await migrateToLatest(first.db);
    await sql`create table footprint (v text)`.execute(first.db);
    await sql`insert into footprint values ('kept')`.execute(first.db);
    await first.close();

    const again = await openDatabase({ kind: 'pglite', dataDir: dir });
    const { rows } = await sql<{ v: string }>`select v from footprint`.execute(again.db);
    assert.deepEqual(
      rows.map((r) => r.v),
      ['kept'],
    );
    assert.deepEqual(await pendingMigrations(again.db), []);
    assert.equal(await setting(again, 'shared_buffers'), '8MB');
    await again.close();
  });

  it('test databases cloned from the template run with the same settings', async () => {
    const database = await createTestDatabase('pglite');
    const open = await database.open();
    try {
      assert.equal(await setting(open, 'shared_buffers'), '8MB');
    } finally {
      await open.close();
      await database.dispose();
    }
  });
});
