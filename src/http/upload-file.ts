/**
 * An upload stored whole in a temporary file (issue 20 §3, §5): a bundle may weigh gigabytes,
 * so its body is never held in memory; it is written as it arrives, bounded by its own limit
 * (`server.bundle.max.size`) instead of the request limit, and read from the file afterwards
 * (a bundle is checked whole before anything in it is imported, then read again to import).
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, ErrorCode } from '../domain/errors.ts';

export interface StoredUpload {
  path: string;
  bytes: number;
  /** Deletes the file and its directory (idempotent). */
  remove(): Promise<void>;
}

/** `metasync-upload-<pid>-XXXXXX`: the pid tells whose upload a directory is after a crash. */
const PREFIX = 'metasync-upload-';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Deletes the uploads of processes that are gone (kill -9 during a bundle import leaves its file
 * behind), at start-up; another live server's uploads on the same host are left alone. Returns
 * how many it deleted.
 */
export async function removeStaleUploads(): Promise<number> {
  const dir = os.tmpdir();
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const pid = Number(/^metasync-upload-(\d+)-/.exec(name)?.[1] ?? NaN);
    if (!Number.isInteger(pid) || pid === process.pid || alive(pid)) continue;
    await rm(path.join(dir, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

const tooLarge = (limit: number) =>
  new AppError(
    ErrorCode.PAYLOAD_TOO_LARGE,
    `The upload is larger than ${limit} bytes, the most server.bundle.max.size allows`,
  );

/**
 * Writes `body` to a new file under the system's temporary directory. A declared length over
 * `limit` is refused unread; a body that grows past it is cut off there and its file deleted.
 */
export async function storeUpload(
  body: NodeJS.ReadableStream,
  declaredLength: number | null,
  limit: number,
  name: string,
): Promise<StoredUpload> {
  if (declaredLength !== null && declaredLength > limit) throw tooLarge(limit);
  const dir = await mkdtemp(path.join(os.tmpdir(), `${PREFIX}${process.pid}-`));
  const file = path.join(dir, name);
  const remove = () => rm(dir, { recursive: true, force: true });
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done(bytes > limit ? tooLarge(limit) : null, chunk);
    },
  });
  try {
    await pipeline(body, count, createWriteStream(file));
  } catch (e) {
    await remove();
    throw e;
  }
  return { path: file, bytes, remove };
}
