/**
 * A Kysely 0.28 dialect for PGlite (kysely 0.29 ships one but needs Node 22; the community
 * package refuses pglite 0.5 — see PINS.md). PGlite is a single session, so one connection is
 * handed out at a time behind a mutex, and a Kysely transaction runs inside
 * `pglite.transaction()`, which keeps other callers' statements out of it (stack.md §2).
 */
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { PGlite, Transaction } from '@electric-sql/pglite';

class PGliteSession implements DatabaseConnection {
  private tx: Transaction | undefined;
  private settle: { commit: () => void; rollback: (e: Error) => void } | undefined;
  private done: Promise<void> | undefined;

  constructor(private readonly pglite: PGlite) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const target = this.tx ?? this.pglite;
    const result = await target.query<R>(query.sql, query.parameters as unknown[], {
      rowMode: 'object',
    });
    return {
      rows: result.rows ?? [],
      numAffectedRows: result.affectedRows === undefined ? undefined : BigInt(result.affectedRows),
    };
  }

  // PGlite has no cursors across the WASM boundary: fetch, then hand out in chunks.
  async *streamQuery<R>(
    query: CompiledQuery,
    chunkSize = 1000,
  ): AsyncIterableIterator<QueryResult<R>> {
    const { rows } = await this.executeQuery<R>(query);
    for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) };
  }

  async begin(settings: TransactionSettings): Promise<void> {
    let opened!: () => void;
    const ready = new Promise<void>((resolve) => (opened = resolve));
    const outcome = new Promise<void>((commit, rollback) => (this.settle = { commit, rollback }));
    this.done = this.pglite.transaction(async (tx) => {
      this.tx = tx;
      const modes = [
        settings.isolationLevel ? `isolation level ${settings.isolationLevel}` : '',
        settings.accessMode ?? '',
      ].filter(Boolean);
      if (modes.length > 0) await tx.query(`set transaction ${modes.join(' ')}`);
      opened();
      await outcome; // resolved → COMMIT, rejected → ROLLBACK
    });
    await Promise.race([ready, this.done]);
  }

  async finish(commit: boolean): Promise<void> {
    if (commit) this.settle?.commit();
    else this.settle?.rollback(new Error('rollback'));
    try {
      await this.done;
    } catch (e) {
      if (commit) throw e;
    } finally {
      this.tx = undefined;
      this.settle = undefined;
      this.done = undefined;
    }
  }
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

class PGliteDriver implements Driver {
  private readonly session: PGliteSession;
  private queue: Promise<void> = Promise.resolve();
  private release: (() => void) | undefined;

  constructor(private readonly pglite: PGlite) {
    this.session = new PGliteSession(pglite);
  }

  async init(): Promise<void> {
    await this.pglite.waitReady;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.queue;
    let release!: () => void;
    this.queue = new Promise<void>((resolve) => (release = resolve));
    await previous;
    this.release = release;
    return this.session;
  }

  async releaseConnection(): Promise<void> {
    const release = this.release;
    this.release = undefined;
    release?.();
  }

  async beginTransaction(_c: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await this.session.begin(settings);
  }
  async commitTransaction(): Promise<void> {
    await this.session.finish(true);
  }
  async rollbackTransaction(): Promise<void> {
    await this.session.finish(false);
  }
  async savepoint(c: DatabaseConnection, name: string): Promise<void> {
    await c.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdent(name)}`));
  }
  async rollbackToSavepoint(c: DatabaseConnection, name: string): Promise<void> {
    await c.executeQuery(CompiledQuery.raw(`rollback to savepoint ${quoteIdent(name)}`));
  }
  async releaseSavepoint(c: DatabaseConnection, name: string): Promise<void> {
    await c.executeQuery(CompiledQuery.raw(`release savepoint ${quoteIdent(name)}`));
  }
  async destroy(): Promise<void> {
    if (!this.pglite.closed) await this.pglite.close();
  }
}

export class PGliteDialect implements Dialect {
  constructor(private readonly pglite: PGlite) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.pglite);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
}
