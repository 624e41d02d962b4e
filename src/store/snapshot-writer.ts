/**
 * Streams a snapshot into the database: its bytes (made and hashed by
 * domain/versioning/snapshot-format.ts) are gzipped once, and only the gzip is stored, as 1 MiB
 * chunks; `/data` is the gzip inflated on the way out, byte for byte what was hashed. Nothing
 * holds the whole snapshot in memory, so versions of hundreds of MB work (issue 5 §3). Storing
 * the JSON too cost ~10× the space, and on PGlite (TOAST compression in WASM) ~0.2 s per MiB.
 *
 * Version creation runs three workers at once (issue 18 §5): the database reads the next page,
 * the main thread hashes the current one, and zlib (on libuv's pool) compresses the previous one.
 */
import { createGzip } from 'node:zlib';
import { sql, type Transaction } from 'kysely';
import type { Database } from './schema.ts';

export const CHUNK_BYTES = 1024 * 1024;

class ChunkSink {
  private pending: Buffer[] = [];
  private size = 0;
  private n = 0;
  total = 0;

  constructor(
    private readonly trx: Transaction<Database>,
    private readonly versionId: string,
    private readonly kind: 'gz',
  ) {}

  async push(buf: Buffer): Promise<void> {
    this.pending.push(buf);
    this.size += buf.length;
    this.total += buf.length;
    while (this.size >= CHUNK_BYTES) await this.flush(CHUNK_BYTES);
  }

  async end(): Promise<void> {
    if (this.size > 0) await this.flush(this.size);
  }

  private async flush(bytes: number): Promise<void> {
    const all = Buffer.concat(this.pending);
    const head = all.subarray(0, bytes);
    const rest = all.subarray(bytes);
    this.pending = rest.length > 0 ? [Buffer.from(rest)] : [];
    this.size = rest.length;
    // Sent as base64 text: PGlite serialises a bytea parameter one byte at a time into a hex
    // string (~0.2 s and a million short strings per MiB); base64 is one native call, and
    // decode() stores the same bytes on both backends.
    await sql`insert into snapshot_chunk (version_id, kind, n, data)
      values (${this.versionId}, ${this.kind}, ${this.n++},
        decode(${head.toString('base64')}, 'base64'))`.execute(this.trx);
  }
}

/**
 * Gzips `bytes` once (level 6) and stores the gzip as chunks of `versionId`; the gzip's size.
 * One piece is compressed while the next is produced (the gzip stream keeps the order), so
 * reading and hashing overlap compressing; at most two pieces are held.
 */
export async function writeSnapshot(
  trx: Transaction<Database>,
  versionId: string,
  bytes: AsyncIterable<Uint8Array>,
): Promise<number> {
  const gz = new ChunkSink(trx, versionId, 'gz');
  const gzip = createGzip({ level: 6 });
  const gzOut: Buffer[] = [];
  gzip.on('data', (b: Buffer) => gzOut.push(b));
  const drainGz = async () => {
    for (const b of gzOut.splice(0)) await gz.push(b);
  };
  const written = (buf: Uint8Array) =>
    new Promise<void>((resolve, reject) => gzip.write(buf, (e) => (e ? reject(e) : resolve())));
  let inFlight: Promise<void> = Promise.resolve();
  for await (const buf of bytes) {
    await inFlight;
    await drainGz();
    inFlight = written(buf);
    // A rejection is awaited on the next piece or below; until then it must not count as unhandled.
    inFlight.catch(() => undefined);
  }
  await inFlight;
  await new Promise<void>((resolve) => gzip.end(resolve));
  await new Promise<void>((resolve) =>
    gzip.readableEnded ? resolve() : gzip.once('end', () => resolve()),
  );
  await drainGz();
  await gz.end();
  return gz.total;
}

/** Stores an existing gzip (a snapshot pulled from a central) as chunks of `versionId`. */
export async function storeGzip(
  trx: Transaction<Database>,
  versionId: string,
  gzip: Buffer,
): Promise<void> {
  const sink = new ChunkSink(trx, versionId, 'gz');
  await sink.push(gzip);
  await sink.end();
}
