/**
 * Opens the one database metasync uses: PostgreSQL through `pg` when a URL is configured,
 * otherwise embedded PGlite in a data directory (issue 3). Both speak the same schema and SQL;
 * PGlite is PostgreSQL 18 and production is 15, so only SQL that 15 has is used (stack.md §2).
 */
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, type MigrationResult } from 'kysely';
import { MIGRATIONS } from './migrations/index.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import { hasCluster, initdbInChild } from './pglite-initdb.ts';
import type { Database } from './schema.ts';

export type DatabaseTarget =
  { kind: 'pglite'; dataDir: string | null } | { kind: 'postgres'; url: string; poolSize?: number };

export interface OpenDatabase {
  db: Kysely<Database>;
  backend: 'pglite' | 'postgres';
  close(): Promise<void>;
}

// int8 (bigserial, count(*)) as a number, as PGlite returns it; bigint past 2^53 (stack.md App. A).
const parseInt8 = (v: string): number | bigint => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : BigInt(v);
};

// Each backend's driver is loaded only when it is opened: the one not used costs no memory (PGlite's
// module alone was ~4 MB of an empty PostgreSQL server's heap, issue 18 §4).
export async function openDatabase(target: DatabaseTarget): Promise<OpenDatabase> {
  if (target.kind === 'postgres') {
    const { default: pg } = await import('pg');
    const url = new URL(target.url);
    const pool = new pg.Pool({
      connectionString: target.url,
      // node-postgres sends no user name when $USER is empty (stack.md §4.6).
      user: url.username
        ? decodeURIComponent(url.username)
        : (process.env.PGUSER ?? os.userInfo().username),
      max: target.poolSize ?? 10,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === 20
            ? parseInt8
            : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // An idle client losing its connection must not crash the process; the next query reports it.
    pool.on('error', () => undefined);
    // Nor a client in use (a transaction between two queries): pg then emits 'error' on the
    // client, which has no listener while the pool lends it out, and the process would die
    // (found by the fault suite, issue 10 §1). The next query fails instead ("not queryable"),
    // and the pool drops the broken client when it is released.
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, backend: 'postgres', close: () => db.destroy() };
  }
  if (target.dataDir) {
    await mkdir(target.dataDir, { recursive: true });
    if (!(await hasCluster(target.dataDir)))
      await initdbInChild(target.dataDir, await pgliteStartParams());
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = await PGlite.create(target.dataDir ?? undefined, {
    startParams: await pgliteStartParams(),
  });
  return fromPGlite(pglite);
}

/**
 * PGlite's own start parameters with 8 MB of shared buffers instead of PostgreSQL's 128 MB
 * (issue 18 §4). PGlite touches the whole buffer pool at start, so it was 128 MB resident in an
 * empty server; the data files still sit in the OS page cache, and an import of 100k objects
 * kept its ratio to the COPY floor (16 MB) and took less CPU (8 MB). 8 MB rather than 16 leaves
 * the server at rest 8–20 MB under issue 18 §5's 250 MB instead of at it (docs/operations.md,
 * "Memory of the embedded database").
 */
export async function pgliteStartParams(): Promise<string[]> {
  const { PGlite } = await import('@electric-sql/pglite');
  return [...PGlite.defaultStartParams, '-c', 'shared_buffers=8MB'];
}

/** Wraps an already open PGlite (tests clone a migrated template instead of running initdb). */
export function fromPGlite(pglite: PGlite): OpenDatabase {
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  const close = async () => {
    await db.destroy();
    // Kysely destroys only a driver it has initialised: before the first query, close PGlite here.
    if (!pglite.closed) await pglite.close();
  };
  return { db, backend: 'pglite', close };
}

const migratorFor = (db: Kysely<Database>) =>
  new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: 'metasync_migration',
    migrationLockTableName: 'metasync_migration_lock',
  });

/** Names of the migrations this code knows that the database has not applied (readiness). */
export async function pendingMigrations(db: Kysely<Database>): Promise<string[]> {
  const all = await migratorFor(db).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

/** Applies every pending migration; throws with the failing migration's name on error. */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResult[]> {
  const migrator = migratorFor(db);
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((r) => r.status === 'Error');
    throw new Error(`Migration ${failed?.migrationName ?? '(unknown)'} failed`, { cause: error });
  }
  return results;
}
