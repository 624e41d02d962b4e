/**
 * Accepts request bodies sent with `Content-Encoding: gzip` (issue 4 §2). The body limit applies
 * to the decompressed bytes, so a small gzip bomb is refused with 413 like any large body.
 */
import { createGunzip } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { AppError, ErrorCode } from '../../domain/errors.ts';

export function acceptGzipBodies(app: FastifyInstance): void {
  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = request.headers['content-encoding']?.toLowerCase().trim();
    if (!encoding || encoding === 'identity') return payload;
    if (encoding !== 'gzip')
      throw new AppError(
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        `Unsupported Content-Encoding: ${encoding} (only gzip)`,
      );
    const gunzip = createGunzip();
    let encoded = 0;
    payload.on('data', (chunk: Buffer) => (encoded += chunk.length));
    gunzip.on('error', () => undefined); // reported through the parser as a bad body
    const out = payload.pipe(gunzip) as typeof gunzip & { receivedEncodedLength?: number };
    // Fastify compares Content-Length with what the stream says it received, not decoded bytes.
    Object.defineProperty(out, 'receivedEncodedLength', { get: () => encoded });
    delete request.headers['content-length'];
    return out;
  });
}
