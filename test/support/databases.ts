/**
 * Test databases on both backends (issue 3 §3). PGlite: a migrated template is built once per
 * machine and cached as a data-dir tarball keyed by the migration sources, then loaded per test
 * (0.6 s instead of initdb + migrate, stack.md §2). PostgreSQL: a fresh database per test on the
 * server at METASYNC_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import {
  fromPGlite,
  migrateToLatest,
  openDatabase,
  pgliteStartParams,
  type OpenDatabase,
} from '../../src/store/db.ts';

export type Backend = 'pglite' | 'postgres';

export const PG_ADMIN_URL =
  process.env.METASYNC_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let pgReachable: Promise<boolean> | undefined;
/** PostgreSQL tests run whenever the server answers; under CI they must (no silent skip). */
export function postgresAvailable(): Promise<boolean> {
  pgReachable ??= (async () => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.end();
      return true;
    } catch (e) {
      if (process.env.CI)
        throw new Error(`PostgreSQL is required under CI: ${String(e)}`, { cause: e });
      return false;
    }
  })();
  return pgReachable;
}

/** The backends to run a suite on: PGlite always, PostgreSQL when reachable. */
export async function backends(): Promise<Backend[]> {
  return (await postgresAvailable()) ? ['pglite', 'postgres'] : ['pglite'];
}

async function templateTarball(): Promise<Blob> {
  const dir = path.resolve(import.meta.dirname, '../../src/store/migrations');
  const hash = createHash('sha256');
  for (const f of (await readdir(dir)).sort())
    hash.update(f).update(await readFile(path.join(dir, f)));
  const file = path.join(
    os.tmpdir(),
    `metasync-pglite-template-${hash.digest('hex').slice(0, 16)}.tar.gz`,
  );
  try {
    return new Blob([await readFile(file)]);
  } catch {
    const fresh = await PGlite.create({ startParams: await pgliteStartParams() });
    const db = fromPGlite(fresh);
    await migrateToLatest(db.db);
    const blob = await fresh.dumpDataDir('gzip');
    await db.close();
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, Buffer.from(await blob.arrayBuffer()));
    await rename(tmp, file); // atomic: concurrent test processes never read half a file
    return blob;
  }
}

export interface TestDatabase {
  backend: Backend;
  /** Where it lives: a PGlite data dir or a postgres:// URL (for CLI processes). */
  location: { dataDir: string } | { databaseUrl: string };
  /** Opens (or reopens, after close) the same database. */
  open(): Promise<OpenDatabase>;
  /** Removes the database and its files. */
  dispose(): Promise<void>;
}

/** A migrated database that survives close/reopen (PGlite on a temp data dir). */
export async function createTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'metasync-pglite-'));
    let first = true;
    return {
      backend,
      location: { dataDir: dir },
      async open() {
        const options = {
          startParams: await pgliteStartParams(),
          ...(first ? { loadDataDir: await templateTarball() } : {}),
        };
        first = false;
        return fromPGlite(await PGlite.create(dir, options));
      },
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  }
  const name = `metasync_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  let migrated = false;
  return {
    backend,
    location: { databaseUrl: url.toString() },
    async open() {
      const db = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 5 });
      if (!migrated) await migrateToLatest(db.db);
      migrated = true;
      return db;
    },
    async dispose() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
