/**
 * Creating a version on the central (contract §4, issue 5 §2). Authority as DHIS2: creating needs
 * F_METADATA_MANAGE (checked by the route), and from Version_2 on the export behind it also needs
 * F_METADATA_EXPORT (ALL passes both). Nothing changed since the previous version is refused
 * unless `force` (a documented difference: DHIS2 would make an empty version).
 */
import { Authority, hasAnyAuthority } from '../authorities.ts';
import { AppError, ErrorCode, errors } from '../errors.ts';
import type { SnapshotSystem, VersionStore } from '../ports.ts';
import type { SnapshotScope } from './snapshot-scope.ts';
import type { MetadataVersion, VersionType } from './version.ts';

export interface CreateVersionDeps {
  versions: VersionStore;
  system: () => SnapshotSystem;
  /** What the snapshot holds beyond the changed objects (snapshot-scope.ts). */
  scope: () => Promise<SnapshotScope>;
  newId: () => string;
  now: () => Date;
  /** True on a local (a remote central is configured). */
  remoteConfigured: () => Promise<boolean>;
}

export async function createVersion(
  deps: CreateVersionDeps,
  input: { type: VersionType; force: boolean; authorities: ReadonlySet<string> },
): Promise<MetadataVersion> {
  // DHIS2's docs warn that a local creating versions can no longer receive the central's.
  if (!input.force && (await deps.remoteConfigured()))
    throw new AppError(
      ErrorCode.CONFLICT,
      'This instance syncs from a central (keyRemoteInstanceUrl is set): a version created here would make it diverge from the central. Use force=true to create one anyway.',
    );
  const latest = await deps.versions.latest();
  if (latest && !hasAnyAuthority(input.authorities, [Authority.F_METADATA_EXPORT]))
    throw errors.forbidden([Authority.F_METADATA_EXPORT]);
  const result = await deps.versions.create({
    type: input.type,
    force: input.force,
    system: deps.system(),
    scope: await deps.scope(),
    newId: deps.newId,
    now: deps.now,
  });
  if (!result.ok)
    throw new AppError(
      ErrorCode.VERSION_UNCHANGED,
      `No metadata has changed since ${result.latest.name}; no version was created. Use force=true to create one anyway.`,
    );
  return result.version;
}
