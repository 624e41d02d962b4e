/**
 * Creating a version on the central (contract §4, issue 5 §2), and the preview of the next one.
 * The rules live here; the store only holds the lock, the transaction, the reads and the chunks.
 *
 * - Authority as DHIS2: creating needs F_METADATA_MANAGE (checked by the route), and from
 *   Version_2 on the export behind it also needs F_METADATA_EXPORT (ALL passes both).
 * - A relay (a local with versioning on, issue 21 §1) always refuses, naming its upstream: it
 *   serves the upstream's versions verbatim. A local without versioning (reached only from code,
 *   the route needs versioning on) refuses unless `force`: DHIS2's docs warn that a local
 *   creating versions can no longer receive the central's.
 * - Nothing changed since the previous version is refused (E1004) unless `force` (a documented
 *   difference: DHIS2 would make an empty version). "Changed" counts only what the snapshot
 *   holds: a change to the objects the scope leaves out (the bootstrap admin) alone makes none.
 * - `Version_<n+1>`, `parentHashCode` = the previous version's hashCode, the first version holds
 *   every object (its range starts at the beginning), later ones the changes since the previous.
 * - keySystemMetadataVersion is set in the same transaction (contract §4 step 8).
 */
import { Authority, hasAnyAuthority } from '../authorities.ts';
import { AppError, ErrorCode, errors } from '../errors.ts';
import type { SnapshotSystem, VersionPreview, VersionStore } from '../ports.ts';
import type { SettingsService } from '../settings/settings-service.ts';
import type { VersionState } from '../rollout/rollout.ts';
import { isRelay } from '../sync/relay.ts';
import { snapshotScope, type SnapshotScope } from './snapshot-scope.ts';
import { hashedBytes, snapshotText } from './snapshot-format.ts';
import {
  dhis2DateWithOffset,
  versionName,
  type MetadataVersion,
  type VersionType,
} from './version.ts';

export interface CreateVersionDeps {
  versions: VersionStore;
  settings: Pick<SettingsService, 'value' | 'update'>;
  system: () => SnapshotSystem;
  newId: () => string;
  now: () => Date;
  /** The state a new version starts in (issue 22: CANARY under staged rollout); RELEASED without. */
  initialState?: () => Promise<VersionState>;
}

/** The preview's estimate of a deletion's size in the snapshot. */
const DELETION_BYTES = 120;

const scopeOf = (deps: CreateVersionDeps): Promise<SnapshotScope> =>
  snapshotScope((key) => deps.settings.value(key));

export async function createVersion(
  deps: CreateVersionDeps,
  input: { type: VersionType; force: boolean; authorities: ReadonlySet<string> },
): Promise<MetadataVersion> {
  const remote = String((await deps.settings.value('keyRemoteInstanceUrl')) ?? '');
  if (isRelay(remote, Boolean(await deps.settings.value('keyVersionEnabled'))))
    throw new AppError(
      ErrorCode.CONFLICT,
      `This instance is a relay of ${remote}: it serves that server's versions as received and never creates its own, not even with force=true (a version made here would end its sync from ${remote}). To make versions here, clear keyRemoteInstanceUrl first: the instance then becomes a central.`,
      { details: { upstream: remote } },
    );
  if (!input.force && remote)
    throw new AppError(
      ErrorCode.CONFLICT,
      'This instance syncs from a central (keyRemoteInstanceUrl is set): a version created here would make it diverge from the central. Use force=true to create one anyway.',
    );
  if (
    (await deps.versions.latest()) &&
    !hasAnyAuthority(input.authorities, [Authority.F_METADATA_EXPORT])
  )
    throw errors.forbidden([Authority.F_METADATA_EXPORT]);
  const scope = await scopeOf(deps);
  const system = deps.system();
  const state = (await deps.initialState?.()) ?? 'RELEASED';
  return deps.versions.create(async ({ latest, changes, writeSnapshot, insert, settings }) => {
    if (latest && !input.force && !(await changes.anyChange(scope.excluded)))
      throw new AppError(
        ErrorCode.VERSION_UNCHANGED,
        `No metadata has changed since ${latest.name}; no version was created. Use force=true to create one anyway.`,
      );
    const number = (latest?.number ?? 0) + 1;
    const id = deps.newId();
    const types: Record<string, number> = {};
    const header = { ...system, date: dhis2DateWithOffset(deps.now()) };
    const snapshot = hashedBytes(snapshotText(changes, header, scope, types));
    const gzipBytes = await writeSnapshot(id, snapshot.bytes);
    const { hashCode, bytes } = snapshot.digest();
    const version: MetadataVersion = {
      id,
      name: versionName(number),
      number,
      type: input.type,
      hashCode,
      parentHashCode: latest?.hashCode ?? null,
      // DHIS2 stamps `created` after the export (contract §4 step 7).
      created: deps.now(),
      importDate: null,
      bytes,
      gzipBytes,
      objects: Object.values(types).reduce((a, b) => a + b, 0),
      deletions: await changes.deletionCount(scope.excluded),
      types,
      ...(state !== 'RELEASED' ? { state } : {}),
    };
    await insert(version);
    await deps.settings.update({ keySystemMetadataVersion: version.name }, settings);
    return version;
  });
}

/** What the next version would hold, counted as the snapshot would be, without creating it. */
export async function previewVersion(deps: CreateVersionDeps): Promise<VersionPreview> {
  const scope = await scopeOf(deps);
  return deps.versions.pending(async ({ latest, changes }) => {
    const counts = await changes.counts(scope.excluded);
    // The key order of the answer before the domain owned it: name, types, objects, bytes, deletions.
    return {
      name: versionName((latest?.number ?? 0) + 1),
      types: counts.types,
      objects: Object.values(counts.types).reduce((a, b) => a + b, 0),
      bytes: counts.bytes + (scope.includeDeletions ? counts.deletions * DELETION_BYTES : 0),
      deletions: counts.deletions,
    };
  });
}
