/**
 * A large `POST /api/metadata` body is not handed to Fastify's JSON parser (issue 18 §1: one
 * `JSON.parse` of a 77 MB payload held ~540 MB): a route `preParsing` hook reads the request
 * stream into a gzip kept in memory (level 1: a few MB for tens of MB of JSON, and fast), gives
 * Fastify an empty object to parse instead, and the handler imports the gzip's members twice
 * (`importMetadataStreamed`), inflating it afresh on each pass.
 *
 * The body limit and its 413, a Content-Length that does not match, and a stream error (a
 * corrupt gzip) are answered with the errors Fastify's own body reader raises, so the error
 * handler renders the same WebMessages as for a small body (metadata-bad-input.test.ts).
 */
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { errorCodes, type FastifyRequest, type preParsingAsyncHookHandler } from 'fastify';
import type { SnapshotMember } from '../domain/sync/central-client.ts';
import { snapshotMembers } from '../central/snapshot-reader.ts';

const spooled = new WeakMap<FastifyRequest, Buffer>();

/**
 * Streams JSON bodies longer than `threshold` bytes, or of unknown length (chunked, or gzip
 * whose length the gzip plugin dropped); `limit` is the body limit (config maxRequestBytes).
 */
export function streamLargeBodies(threshold: number, limit: number): preParsingAsyncHookHandler {
  return async (request, _reply, payload) => {
    if (!/json/i.test(request.headers['content-type'] ?? '')) return payload; // Fastify's 415
    const header = request.headers['content-length'];
    const length = header === undefined ? null : Number(header);
    // A body declared over the limit is refused unread by Fastify, as today.
    if (length !== null && (length <= threshold || length > limit)) return payload;
    spooled.set(request, await gzipped(payload, length, limit));
    delete request.headers['content-length'];
    return Readable.from([Buffer.from('{}')]);
  };
}

/** The members of a streamed body, read afresh from its gzip; null for a body Fastify parsed. */
export function streamedMembers(
  request: FastifyRequest,
): (() => AsyncIterable<SnapshotMember>) | null {
  const gzip = spooled.get(request);
  if (!gzip) return null;
  return () => snapshotMembers(Readable.from([gzip]).pipe(createGunzip()));
}

function gzipped(payload: NodeJS.ReadableStream, length: number | null, limit: number) {
  return new Promise<Buffer>((resolve, reject) => {
    const gzip = createGzip({ level: 1 });
    const out: Buffer[] = [];
    let received = 0;
    const stop = (error: Error) => {
      // As Fastify's reader: stop listening, leave the request to the reply (no reset socket).
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      gzip.destroy();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) return stop(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      if (!gzip.write(chunk)) {
        payload.pause();
        gzip.once('drain', () => payload.resume());
      }
    };
    const onEnd = () => {
      if (length !== null && received !== length)
        return stop(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
      gzip.end();
    };
    gzip.on('data', (chunk: Buffer) => out.push(chunk));
    gzip.on('end', () => resolve(Buffer.concat(out)));
    gzip.on('error', reject);
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', (e: Error & { statusCode?: number }) => {
      // Fastify's reader makes a stream error a 400 (a corrupt gzip body).
      e.statusCode ??= 400;
      stop(e);
    });
  });
}
