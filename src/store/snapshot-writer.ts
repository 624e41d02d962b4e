/**
 * Streams a snapshot into the database: its bytes (made and hashed by
 * domain/versioning/snapshot-format.ts) are gzipped once, and only the gzip is stored, as 1 MiB
 * chunks; `/data` is the gzip inflated on the way out, byte for byte what was hashed. Nothing
 * holds the whole snapshot in memory, so versions of hundreds of MB work (issue 5 §3). Storing the JSON too cost ~10× the space, and on
 * PGlite (TOAST compression in WASM) ~0.2 s per MiB.
 */
import { createGzip } from 'node:zlib';
import type { Transaction } from 'kysely';
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
    await this.trx
      .insertInto('snapshot_chunk')
      .values({ version_id: this.versionId, kind: this.kind, n: this.n++, data: head })
      .execute();
  }
}

/** Gzips `bytes` once (level 6) and stores the gzip as chunks of `versionId`; the gzip's size. */
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
  for await (const buf of bytes) {
    await new Promise<void>((resolve, reject) =>
      gzip.write(buf, (e) => (e ? reject(e) : resolve())),
    );
    await drainGz();
  }
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
