/**
 * Applies one version pulled from the central (contract §9.1, issue 6 §2 d): verify the MD5,
 * check the DHIS2 version when asked, check the chain, then import the objects (ATOMIC → all or
 * nothing, BEST_EFFORT → best effort), apply carried deletions, and record the version — all in
 * ONE transaction, so a crash leaves the local at the previous version or at this one.
 */
import { createHash } from 'node:crypto';
import { isAppError } from '../errors.ts';
import { DEFAULT_IMPORT_PARAMS } from '../metadata/import-params.ts';
import type { ImportReport } from '../metadata/import-report.ts';
import {
  hashPasswords,
  planAndApply,
  reportSkippedTypes,
  type ImportDeps,
} from '../metadata/import-metadata.ts';
import { parsePayload, type SkippedType } from '../metadata/parse-payload.ts';
import { prepareEntries } from '../metadata/prepare-entries.ts';
import { metadataType } from '../metadata/types.ts';
import { versionNumber, type MetadataVersion, type VersionType } from '../versioning/version.ts';
import { DELETIONS_KEY } from '../versioning/snapshot-format.ts';
import type { RemoteVersion, Snapshot } from './central-client.ts';
import type { FailureKind, VersionReport } from './sync-report.ts';

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
}

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

export async function applyVersion(
  deps: ImportDeps,
  remote: RemoteVersion,
  snapshot: Snapshot,
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

  const md5 = createHash('md5').update(snapshot.bytes).digest('hex');
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

  let body: Record<string, unknown>;
  try {
    body = JSON.parse(snapshot.bytes.toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    return fail(
      'BAD_SNAPSHOT',
      `The snapshot of ${remote.name} is not valid JSON: ${(e as Error).message}`,
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return fail('BAD_SNAPSHOT', `The snapshot of ${remote.name} is not a JSON object`);

  // DHIS2 compares only when the snapshot has a system.version (contract §9.1 step 4).
  const system = body.system as { version?: unknown } | undefined;
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

  // From here on only the parsed objects are needed: keep the gzip (small) and drop the raw JSON
  // bytes, which for a large bootstrap snapshot are tens of MB (issue 6 benchmark: RSS ≤ 1 GB).
  const size = snapshot.bytes.length;
  const gzip = snapshot.gzip ?? options.gzip(snapshot.bytes);
  (snapshot as { bytes: Buffer | null }).bytes = null;
  // DHIS2 imports best effort only for BEST_EFFORT; any other type, a missing one included, is
  // all or nothing (DefaultMetadataSyncService, issue 16 §11).
  const type = remote.type === 'BEST_EFFORT' ? 'BEST_EFFORT' : 'ATOMIC';
  const params = {
    ...DEFAULT_IMPORT_PARAMS,
    atomicMode: type === 'ATOMIC' ? ('ALL' as const) : ('NONE' as const),
  };
  const deletions = Array.isArray(body[DELETIONS_KEY])
    ? (body[DELETIONS_KEY] as { type?: unknown; uid?: unknown }[])
    : [];
  const deleteBody: Record<string, { id: string }[]> = {};
  for (const d of deletions)
    if (typeof d?.type === 'string' && typeof d.uid === 'string' && metadataType(d.type))
      (deleteBody[d.type] ??= []).push({ id: d.uid });

  // A type key holding something other than an array is a bad snapshot, not an internal error
  // (it was retried and reported as INTERNAL; found by fuzzing, issue 10 §5).
  let prepared;
  let skipped: SkippedType[];
  try {
    const parsed = parsePayload(body);
    prepared = prepareEntries(parsed.entries);
    skipped = parsed.unknownTypes;
  } catch (e) {
    if (!isAppError(e)) throw e;
    return fail(
      'BAD_SNAPSHOT',
      `The snapshot of ${remote.name} is not DHIS2 metadata: ${e.message}`,
    );
  }
  const deletesPrepared = prepareEntries(parsePayload(deleteBody).entries);
  const passwordHashes = await hashPasswords(deps, prepared);
  const now = deps.clock.now();
  const ctx = { actorId: options.actorId, now, newUid: deps.newUid, passwordHashes };

  const outcome = await deps.store.write(async (writer) => {
    const plan = await planAndApply(writer, prepared, { ...ctx, params });
    // What was not imported is reported, never dropped silently (issue 16 §8).
    reportSkippedTypes(plan.report, skipped);
    if (plan.report.status === 'ERROR')
      return { imported: plan.report, deletes: null, version: null };
    // Deletions that would break a local reference are skipped and reported (issue 6 §2).
    const del = deletesPrepared.length
      ? await planAndApply(writer, deletesPrepared, {
          ...ctx,
          params: { ...params, importStrategy: 'DELETE', atomicMode: 'NONE' },
        })
      : null;
    const types: Record<string, number> = {};
    for (const p of prepared) types[p.type.key] = (types[p.type.key] ?? 0) + 1;
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
      objects: prepared.length,
      deletions: deletesPrepared.length,
      types,
    };
    await writer.recordVersion(version, gzip);
    return { imported: plan.report, deletes: del?.report ?? null, version };
  });

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
  if (!outcome.version)
    return fail(
      'IMPORT_FAILED',
      `Import of metadata objects was unsuccessful: ${importErrors.length + deleteErrors.length} error(s) in ${remote.name}; nothing was imported`,
    );
  report.status =
    outcome.imported.status === 'OK' && !outcome.deletes?.stats.ignored ? 'SUCCESS' : 'WARNING';
  return { ok: true, version: outcome.version, report };
}
