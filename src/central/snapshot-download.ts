/**
 * Downloads a snapshot keeping only its gzip (issue 18 §1): the MD5 and length of the
 * uncompressed bytes are computed while inflating, chunk by chunk, so the snapshot's text is never
 * in memory whole. A snapshot the central sent uncompressed (`/data`) is gzipped as it arrives:
 * the gzip is what the local stores anyway.
 */
import { constants } from 'node:buffer';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { RemoteError, type StreamedSnapshot } from '../domain/sync/central-client.ts';
import { streamedSnapshot } from './snapshot-reader.ts';

/**
 * The most a snapshot may inflate to. No longer a memory limit (nothing holds the whole text), but
 * a gzip bomb from a rogue or spoofed central must not inflate for minutes (issue 10 §4); a type
 * array, which is parsed as one string, cannot be longer than this anyway.
 */
const MAX_SNAPSHOT = constants.MAX_STRING_LENGTH;

export async function downloadSnapshot(
  body: AsyncIterable<Uint8Array>,
  gzipped: boolean,
  name: string,
  broke: (e: unknown) => RemoteError,
): Promise<StreamedSnapshot> {
  const md5 = createHash('md5');
  const kept: Buffer[] = [];
  let sent = 0;
  let size = 0;
  let download: unknown = null;
  // Set the moment the snapshot itself fails (bad gzip, too large): the pipeline then cancels the
  // body, and the read that was waiting rejects too; that rejection is not a network failure.
  // Which came first decides the kind (a bomb was once reported UNREACHABLE under load).
  let bad = false;
  // The download's own failures (a reset mid-body) are network failures, not bad gzip.
  async function* received() {
    try {
      for await (const chunk of body) {
        sent += chunk.length;
        yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      }
    } catch (e) {
      if (!bad) download = e;
      throw e;
    }
  }
  const hashed = (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_SNAPSHOT) {
      bad = true;
      throw new Error(`it inflates past ${MAX_SNAPSHOT} bytes, more than a snapshot can be`);
    }
    md5.update(chunk);
  };
  const gunzip = () => createGunzip().once('error', () => (bad = true));
  const sink = (write: (chunk: Buffer) => void) =>
    new Writable({
      write(chunk: Buffer, _enc, done) {
        try {
          write(chunk);
          done();
        } catch (e) {
          done(e as Error);
        }
      },
    });
  try {
    if (gzipped)
      await pipeline(
        Readable.from(received()),
        async function* keep(source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            kept.push(chunk);
            yield chunk;
          }
        },
        gunzip(),
        sink(hashed),
      );
    else
      await pipeline(
        Readable.from(received()),
        async function* hash(source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            hashed(chunk);
            yield chunk;
          }
        },
        createGzip(),
        sink((chunk) => kept.push(chunk)),
      );
  } catch (e) {
    if (download !== null) throw broke(download);
    if (sent === 0) throw new RemoteError('PARSE', "Metadata snapshot can't be null.");
    throw new RemoteError(
      'PARSE',
      `The snapshot of ${name} is not valid gzip: ${(e as Error).message}`,
    );
  }
  if (sent === 0) throw new RemoteError('PARSE', "Metadata snapshot can't be null.");
  return streamedSnapshot(Buffer.concat(kept), md5.digest('hex'), size);
}
