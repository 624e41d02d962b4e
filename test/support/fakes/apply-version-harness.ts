/**
 * Calling `applyVersion` (src/domain/sync/apply-version.ts) on an in-memory local in unit tests:
 * a version entity for given snapshot bytes, the options a run passes, and reading back what the
 * local stored.
 */
import { gzipSync } from 'node:zlib';
import { applyVersion, type ApplyOptions } from '../../../src/domain/sync/apply-version.ts';
import type { RemoteVersion, Snapshot } from '../../../src/domain/sync/central-client.ts';
import { md5, snapshotBytes, type SnapshotInput } from './fake-central-client.ts';
import type { memoryLocal } from './sync-import-fakes.ts';

export type Local = Awaited<ReturnType<typeof memoryLocal>>;

export const CREATED = new Date('2026-01-01T00:05:00.000Z');

export function version(bytes: Buffer, extra: Partial<RemoteVersion> = {}): RemoteVersion {
  return {
    name: 'Version_1',
    type: 'ATOMIC',
    id: 'verC0000001',
    hashCode: md5(bytes),
    created: CREATED,
    parentHashCode: null,
    ...extra,
  };
}

export const options = (extra: Partial<ApplyOptions> = {}): ApplyOptions => ({
  stopOnVersionMismatch: false,
  localSystemVersion: '2.41.0',
  centralSystemVersion: '2.41.0',
  current: null,
  actorId: 'M5zQapPyTZI',
  gzip: (b) => gzipSync(b),
  ...extra,
});

/** Applies a snapshot built from `input` (or given as bytes) as `Version_1`. */
export async function apply(
  local: Local,
  input: SnapshotInput | Buffer,
  remote: Partial<RemoteVersion> = {},
  opts: Partial<ApplyOptions> = {},
  sentGzip = false,
) {
  const bytes = Buffer.isBuffer(input) ? input : snapshotBytes(input);
  const snapshot: Snapshot = { bytes, gzip: sentGzip ? gzipSync(bytes) : null };
  return applyVersion(local.deps, version(bytes, remote), snapshot, options(opts));
}

export const read = async (it: AsyncIterable<Uint8Array> | null) => {
  const parts: Buffer[] = [];
  for await (const p of it ?? []) parts.push(Buffer.from(p));
  return Buffer.concat(parts);
};

export const elements = (local: Local) => local.store.list('dataElements');
