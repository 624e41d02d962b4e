/**
 * The audited recovery of a diverged local (issue 6 §6): take the central's version `to` as this
 * instance's current one, without importing, remove the local versions at or above its number,
 * and write who did it and why to the audit log. The sync status reads the audit entry: a
 * failure recorded before the rebaseline no longer counts (sync-status.ts).
 */
import { AppError, ErrorCode } from '../errors.ts';
import type { VersionStore } from '../ports.ts';
import { versionNumber } from '../versioning/version.ts';
import type { CentralClient } from './central-client.ts';
import type { SyncAuditLog } from './sync-ports.ts';

export const REBASELINE = 'REBASELINE';

export interface RebaselineDeps {
  central: () => Promise<Pick<CentralClient, 'version'>>;
  versions: Pick<VersionStore, 'latest' | 'rebaseline'>;
  audit: Pick<SyncAuditLog, 'audit'>;
  now: () => Date;
}

export interface RebaselineInput {
  to: string;
  reason: string;
  username: string;
}

export interface RebaselineResult {
  to: string;
  hashCode: string;
  from: string | null;
  fromHashCode: string | null;
  /** The local versions removed. */
  removed: string[];
}

export async function rebaseline(
  deps: RebaselineDeps,
  input: RebaselineInput,
): Promise<RebaselineResult> {
  if (input.reason.trim().length < 5)
    throw new AppError(
      ErrorCode.VALIDATION_FAILED,
      'A reason of at least 5 characters is required for the audit log',
    );
  const theirs = await (await deps.central()).version(input.to);
  if (!theirs)
    throw new AppError(ErrorCode.NOT_FOUND, `The central has no version named ${input.to}`);
  const now = deps.now();
  const number = versionNumber(theirs.name);
  if (number === null)
    throw new AppError(
      ErrorCode.VALIDATION_FAILED,
      `Cannot rebaseline to ${theirs.name}: not a Version_<n> name`,
    );
  const before = await deps.versions.latest();
  const removed = await deps.versions.rebaseline({
    id: theirs.id,
    name: theirs.name,
    number,
    type: theirs.type === 'BEST_EFFORT' ? 'BEST_EFFORT' : 'ATOMIC',
    hashCode: theirs.hashCode,
    parentHashCode: theirs.parentHashCode,
    created: theirs.created,
    importDate: now,
    bytes: 0,
    gzipBytes: 0,
    objects: 0,
    deletions: 0,
    types: {},
  });
  const details: RebaselineResult = {
    to: theirs.name,
    hashCode: theirs.hashCode,
    from: before?.name ?? null,
    fromHashCode: before?.hashCode ?? null,
    removed,
  };
  await deps.audit.audit({
    action: REBASELINE,
    username: input.username,
    at: now,
    reason: input.reason,
    details: { ...details },
  });
  return details;
}
