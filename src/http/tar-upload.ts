/**
 * An uploaded bundle (issue 20 §3, §5) goes to a temporary file as it arrives, never into memory:
 * a bundle may weigh gigabytes. The route's own content-type parser hands the request stream
 * through untouched, so Fastify's body limit (`server.max.request.size`) does not apply; the
 * bundle bound (`server.bundle.max.size`) does, here: a declared length over it is refused
 * unread, a body that grows past it is cut off. Either is a 413.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, ErrorCode } from '../domain/errors.ts';

/** The content types a bundle upload is sent as. */
export const TAR_TYPES = ['application/x-tar', 'application/octet-stream'];

const tooLarge = (limit: number) =>
  new AppError(
    ErrorCode.PAYLOAD_TOO_LARGE,
    `The bundle is larger than the limit of ${limit} bytes (server.bundle.max.size)`,
  );

/** In the routes' encapsulated context: tar bodies reach the handler as the request stream. */
export function acceptTarStreams(app: FastifyInstance): void {
  app.addContentTypeParser(TAR_TYPES, (_request, payload, done) => done(null, payload));
}

/** The upload written to a temporary file; `dispose` removes it. */
export async function spoolUpload(
  request: FastifyRequest,
  limit: number,
): Promise<{ file: string; bytes: number; dispose(): Promise<void> }> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit);
  const body = request.body as NodeJS.ReadableStream | undefined;
  if (!body || typeof body.pipe !== 'function')
    throw new AppError(
      ErrorCode.BAD_REQUEST,
      'The request has no bundle: send the tar as the body',
    );
  const dir = await mkdtemp(path.join(os.tmpdir(), 'metasync-upload-'));
  const file = path.join(dir, 'bundle.tar');
  const dispose = () => rm(dir, { recursive: true, force: true });
  let bytes = 0;
  const bound = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done(bytes > limit ? tooLarge(limit) : null, chunk);
    },
  });
  try {
    await pipeline(body, bound, createWriteStream(file));
  } catch (e) {
    await dispose();
    if (e instanceof AppError) throw e;
    throw new AppError(ErrorCode.BAD_REQUEST, `The upload broke off: ${(e as Error).message}`);
  }
  return { file, bytes, dispose };
}
