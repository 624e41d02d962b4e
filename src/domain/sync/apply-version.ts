/**
 * Applies one version pulled from the central (contract §9.1, issue 6 §2 d): verify the MD5,
 * check the DHIS2 version when asked, check the chain, then import the objects (ATOMIC → all or
 * nothing, BEST_EFFORT → best effort), apply carried deletions, and record the version — all in
 * ONE transaction, so a crash leaves the local at the previous version or at this one.
 *
 * The snapshot is read twice, one member at a time (issue 18 §1): a first pass checks it and
 * collects its ids (./snapshot-scan.ts), the second imports it type by type (./import-types.ts).
 */
import { createHash } from 'node:crypto';
import { DEFAULT_IMPORT_PARAMS } from '../metadata/import-params.ts';
import type { ImportReport } from '../metadata/import-report.ts';
import { planAndApply, reportSkippedTypes, type ImportDeps } from '../metadata/import-metadata.ts';
import { parsePayload } from '../metadata/parse-payload.ts';
import { prepareEntries } from '../metadata/prepare-entries.ts';
import { metadataType } from '../metadata/types.ts';
import { versionNumber, type MetadataVersion, type VersionType } from '../versioning/version.ts';
import {
  BadSnapshotError,
  type RemoteVersion,
  type Snapshot,
  type SnapshotMember,
  type StreamedSnapshot,
} from './central-client.ts';
import { typeByTypeImport, type TypeImport } from './import-types.ts';
import { parsedMembers, scanSnapshot, type SnapshotScan } from './snapshot-scan.ts';
import type { DriftedObject, FailureKind, VersionReport } from './sync-report.ts';

export interface ApplyOptions {
  /** keyStopMetadataSync and the local's own DHIS2 version (`system.version`). */
  stopOnVersionMismatch: boolean;
  localSystemVersion: string;
  /** The central's build string now (`/api/system/info`), named in a mismatch (issue 16 §11). */
  centralSystemVersion?: string | null;
  /** The local's current version, for the chain check. */
  current: MetadataVersion | null;
  actorId: string;
  /** Gzips a snapshot the central sent uncompressed, for storing. */
  gzip: (bytes: Buffer) => Buffer;
  /** Objects planned and applied at a time (default SLICE; tests cross slices with fewer). */
  sliceSize?: number;
  /** What has drifted locally, asked before the import (issue 23 §3). */
  drifted?: () => Promise<DriftedObject[]>;
}

/** Drifted objects a version report names at most. */
const DRIFTED_SHOWN = 50;

/** Drifted objects the version touches, or its errors name (a code clash names the holder). */
function touchedDrift(
  candidates: readonly DriftedObject[],
  ids: ReadonlyMap<string, string>,
  errors: readonly { message: string; value?: unknown }[],
): DriftedObject[] {
  if (candidates.length === 0) return [];
  const text = errors.map((e) => `${e.message} ${String(e.value ?? '')}`).join('\n');
  return candidates.filter((c) => ids.has(c.id) || text.includes(c.id)).slice(0, DRIFTED_SHOWN);
}

const driftNote = (list: readonly DriftedObject[]) =>
  list.length === 0
    ? ''
    : `. Changed on this instance since the versions applied (drift): ${list
        .slice(0, 5)
        .map((d) => `${d.type} ${d.id}${d.name ? ` (${d.name})` : ''} ${d.kind} locally`)
        .join(', ')}${list.length > 5 ? `, and ${list.length - 5} more` : ''}`;

export type ApplyResult =
  | { ok: true; version: MetadataVersion; report: VersionReport }
  | { ok: false; kind: FailureKind; message: string; report: VersionReport };

const errorsOf = (r: ImportReport) =>
  r.typeReports.flatMap((t) =>
    t.objectReports.flatMap((o) =>
      o.errorReports.map((e) => ({
        errorCode: e.errorCode,
        message: e.message,
        mainKlass: e.mainKlass,
        errorProperty: e.errorProperty,
        value: e.value,
      })),
    ),
  );

/**
 * Objects planned and applied at a time (issue 18 §1). Memory follows the slice and time falls
 * with fewer slices: each slice's store look-ups cost ~0.6 s plus ~45 µs a key on PostgreSQL late
 * in a bootstrap. bootstrap200k on PostgreSQL, sync alone (loaded 2-core box): slices of 5,000
 * 87–117 s and 560–600 MB peak RSS, 10,000 82 s and 639 MB, 20,000 60 s and 727 MB, whole types
 * 59 s and 757 MB. Memory is what issue 18 §1 is about; cheaper look-ups would buy the time back.
 * They did (one index probe a key, no store query for references to the version's own objects):
 * 5,000 then ran 45–52 s against a direct import's 31–33 s, 550 MB; 2,000 ran 40 s against 23 s
 * and 527 MB, so the slice is not what holds the rest of the peak.
 */
export const SLICE = 5000;

interface Outcome {
  imported: ImportReport;
  deletes: ImportReport | null;
  version: MetadataVersion | null;
}

/** Thrown out of the write callback to roll an ATOMIC version back (issue 18 §1). */
class RolledBack {
  constructor(readonly report: ImportReport) {}
}

/**
 * Feeds the types to the import in import order as their members arrive. A metasync central
 * writes them in that order; a member that comes early (another central's key order) is held
 * unparsed until its turn. A repeated key counts once, with its last value, as JSON.parse does.
 */
export async function importInOrder(
  members: AsyncIterable<SnapshotMember>,
  scan: SnapshotScan,
  types: TypeImport,
  slice: number,
): Promise<void> {
  const held = new Map<string, SnapshotMember>();
  let next = 0;
  let position = 0;
  for await (const m of members) {
    if (scan.last.get(m.key) !== position++ || !metadataType(m.key)) continue;
    held.set(m.key, m);
    for (let t = scan.types[next]; t && held.has(t.type.key); t = scan.types[++next]) {
      const member = held.get(t.type.key)!;
      held.delete(t.type.key);
      // A type with a repeated id goes in one piece, so the planner sees the twins (E5004).
      const batches = member.batches(scan.repeatedIds.has(t.type.key) ? Infinity : slice);
      if (!batches) throw new Error(`The snapshot changed between two reads: ${t.type.key}`);
      await types.add(t.type, batches);
    }
  }
  if (next < scan.types.length)
    throw new Error(
      `The snapshot changed between two reads: ${scan.types[next]!.type.key} is missing`,
    );
}

export async function applyVersion(
  deps: ImportDeps,
  remote: RemoteVersion,
  snapshot: Snapshot | StreamedSnapshot,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const t0 = deps.clock.now().getTime();
  const report: VersionReport = {
    name: remote.name,
    type: remote.type,
    status: 'FAILED',
    errors: [],
  };
  const fail = (kind: FailureKind, message: string): ApplyResult => {
    report.message = message;
    return { ok: false, kind, message, report };
  };

  // A streamed snapshot's MD5 was taken while it was inflated (issue 18 §1).
  const md5 =
    'bytes' in snapshot ? createHash('md5').update(snapshot.bytes).digest('hex') : snapshot.md5;
  if (md5 !== remote.hashCode)
    return fail(
      'HASH_MISMATCH',
      `Metadata snapshot is corrupted. Not saving it locally: MD5 of ${remote.name} is ${md5}, the central says ${remote.hashCode}`,
    );
  if (
    options.current &&
    remote.parentHashCode &&
    remote.parentHashCode !== options.current.hashCode
  )
    return fail(
      'DIVERGED',
      `${remote.name} on the central follows a version with hashCode ${remote.parentHashCode}, but this instance is at ${options.current.name} with hashCode ${options.current.hashCode}`,
    );

  // Pass 1 (issue 18 §1): every member parsed once and let go, keeping what must be known before
  // anything is written: bad JSON, `system` (wherever it stands), the version's ids and types.
  const inMemory = 'bytes' in snapshot;
  let members: () => AsyncIterable<SnapshotMember>;
  let scan: SnapshotScan;
  try {
    members = inMemory ? parsedMembers(snapshot) : () => snapshot.members();
    scan = await scanSnapshot(members());
  } catch (e) {
    if (!(e instanceof BadSnapshotError)) throw e;
    return fail(
      'BAD_SNAPSHOT',
      e.problem === 'not-object'
        ? `The snapshot of ${remote.name} is not a JSON object`
        : `The snapshot of ${remote.name} is not valid JSON: ${e.message}`,
    );
  }

  // DHIS2 compares only when the snapshot has a system.version (contract §9.1 step 4).
  const system = scan.system as { version?: unknown } | undefined;
  const theirs = typeof system?.version === 'string' ? system.version.trim() : '';
  if (
    options.stopOnVersionMismatch &&
    theirs !== '' &&
    theirs !== options.localSystemVersion.trim()
  ) {
    // Both build strings, and where the central stands today: a snapshot keeps the release that
    // made it, so after a central upgrade old versions still name the old one (contract §18.7).
    const now = options.centralSystemVersion;
    const central = now && now !== theirs ? `; the central runs DHIS2 ${now} now` : '';
    return fail(
      'VERSION_MISMATCH',
      `Metadata sync failed because your version of DHIS does not match the master version: this instance follows DHIS2 ${options.localSystemVersion} (its system.version), ${remote.name} was made by DHIS2 ${theirs}${central}. Set system.version in this instance's config file to the central's release, or switch keyStopMetadataSync off`,
    );
  }
  // A type key holding something other than an array is a bad snapshot, not an internal error
  // (it was retried and reported as INTERNAL; found by fuzzing, issue 10 §5).
  if (scan.notArray !== null)
    return fail(
      'BAD_SNAPSHOT',
      `The snapshot of ${remote.name} is not DHIS2 metadata: Property ${scan.notArray} must be an array of objects`,
    );

  // Only the gzip is kept (small); an in-memory snapshot's raw JSON is let go, its parsed members
  // stay until imported (issue 6 benchmark; a streamed one never holds its text, issue 18 §1).
  const size = inMemory ? snapshot.bytes.length : snapshot.size;
  const gzip = inMemory ? (snapshot.gzip ?? options.gzip(snapshot.bytes)) : snapshot.gzip;
  if (inMemory) (snapshot as { bytes: Buffer | null }).bytes = null;
  // DHIS2 imports best effort only for BEST_EFFORT; any other type, a missing one included, is
  // all or nothing (DefaultMetadataSyncService, issue 16 §11).
  const type = remote.type === 'BEST_EFFORT' ? 'BEST_EFFORT' : 'ATOMIC';
  const params = {
    ...DEFAULT_IMPORT_PARAMS,
    atomicMode: type === 'ATOMIC' ? ('ALL' as const) : ('NONE' as const),
  };
  const deletions = Array.isArray(scan.deletions)
    ? (scan.deletions as { type?: unknown; uid?: unknown }[])
    : [];
  const deleteBody: Record<string, { id: string }[]> = {};
  for (const d of deletions)
    if (typeof d?.type === 'string' && typeof d.uid === 'string' && metadataType(d.type))
      (deleteBody[d.type] ??= []).push({ id: d.uid });
  const deletesPrepared = prepareEntries(parsePayload(deleteBody).entries);
  const now = deps.clock.now();
  const ctx = { actorId: options.actorId, now, newUid: deps.newUid };
  const candidates = options.drifted ? await options.drifted() : [];

  let outcome: Outcome;
  try {
    outcome = await deps.store.write(async (writer): Promise<Outcome> => {
      // Pass 2: type by type in import order, each let go once applied (./import-types.ts).
      const types = typeByTypeImport(deps, writer, scan.ids, { ...ctx, params }, remote.name);
      await importInOrder(members(), scan, types, options.sliceSize ?? SLICE);
      const imported = types.report();
      // What was not imported is reported, never dropped silently (issue 16 §8).
      reportSkippedTypes(imported, scan.skipped);
      // ATOMIC: earlier types are already written in this transaction; throwing rolls them back.
      if (imported.status === 'ERROR') throw new RolledBack(imported);
      // Deletions that would break a local reference are skipped and reported (issue 6 §2).
      const del = deletesPrepared.length
        ? await planAndApply(writer, deletesPrepared, {
            ...ctx,
            passwordHashes: new Map(),
            params: { ...params, importStrategy: 'DELETE', atomicMode: 'NONE' },
          })
        : null;
      // The fold applies a carried deletion whether or not it could be applied here: an object
      // a local reference kept alive is then "created locally" (issue 23 §1).
      const deleted = Object.entries(deleteBody).flatMap(([t, list]) =>
        list.map((d) => ({ type: t, id: d.id })),
      );
      if (deleted.length) await writer.dropBaseline(deleted);
      const counts: Record<string, number> = {};
      let objects = 0;
      for (const t of scan.types) {
        counts[t.type.key] = t.count;
        objects += t.count;
      }
      const version: MetadataVersion = {
        id: remote.id || deps.newUid(),
        name: remote.name,
        number: versionNumber(remote.name) ?? 0,
        type: type as VersionType,
        hashCode: remote.hashCode,
        parentHashCode: remote.parentHashCode ?? options.current?.hashCode ?? null,
        created: Number.isNaN(remote.created.getTime()) ? now : remote.created,
        importDate: now,
        bytes: size,
        gzipBytes: gzip.length,
        objects,
        deletions: deletesPrepared.length,
        types: counts,
      };
      await writer.recordVersion(version, gzip);
      return { imported, deletes: del?.report ?? null, version };
    });
  } catch (e) {
    if (!(e instanceof RolledBack)) throw e;
    outcome = { imported: e.report, deletes: null, version: null };
  }

  report.stats = outcome.imported.stats;
  report.typeStats = Object.fromEntries(
    outcome.imported.typeReports.map((t) => [t.klass, t.stats]),
  );
  // The report keeps the first 200 errors (and 100 of the deletions); the message counts them all.
  const importErrors = errorsOf(outcome.imported);
  const deleteErrors = outcome.deletes ? errorsOf(outcome.deletes) : [];
  report.errors = importErrors.slice(0, 200);
  report.seconds = (deps.clock.now().getTime() - t0) / 1000;
  if (outcome.deletes) {
    report.deletions = {
      applied: outcome.deletes.stats.deleted,
      skipped: outcome.deletes.stats.ignored,
    };
    report.errors.push(...deleteErrors.slice(0, 100));
  }
  const drifted = touchedDrift(candidates, scan.ids, [...importErrors, ...deleteErrors]);
  if (drifted.length) report.drifted = drifted;
  if (!outcome.version)
    return fail(
      'IMPORT_FAILED',
      `Import of metadata objects was unsuccessful: ${importErrors.length + deleteErrors.length} error(s) in ${remote.name}; nothing was imported${driftNote(drifted)}`,
    );
  report.status =
    outcome.imported.status === 'OK' && !outcome.deletes?.stats.ignored ? 'SUCCESS' : 'WARNING';
  return { ok: true, version: outcome.version, report };
}
