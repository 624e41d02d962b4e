/**
 * The drift repair (issue 23 §4): puts the listed objects back to the state the applied versions
 * imply, in one metadata transaction, audited. Changed objects are imported back from their
 * implied content, deleted ones created again; objects created locally are deleted only when
 * asked. All or nothing: one object that cannot be put back rolls the whole repair back, and
 * the report says which and why.
 *
 * Order inside the transaction: the restores first (a changed object may still reference an
 * object created locally, which could not be deleted before), then the deletions, then once more
 * the restores that failed (a created object may hold a code a restored one needs: E5003).
 */
import { AppError, ErrorCode } from '../errors.ts';
import { DEFAULT_IMPORT_PARAMS } from '../metadata/import-params.ts';
import { planAndApply, type ImportDeps } from '../metadata/import-metadata.ts';
import type { ImportReport } from '../metadata/import-report.ts';
import { parsePayload } from '../metadata/parse-payload.ts';
import { prepareEntries } from '../metadata/prepare-entries.ts';
import type { MetadataWriter } from '../ports.ts';
import type { SyncAuditLog } from '../sync/sync-ports.ts';
import { describe, driftBase, driftCounts, KINDS, type DriftDeps } from './drift-check.ts';
import type { DriftKind, DriftObject, RepairInput, RepairResult } from './drift.ts';
import { keyOf, type DriftRow } from './drift-store.ts';
import { DRIFT_EXEMPT } from './ignored-properties.ts';
import { impliedObjects } from './implied-content.ts';

export const DRIFT_REPAIR = 'DRIFT_REPAIR';

/** The most objects one repair takes on; narrow it by type or ids beyond that. */
export const REPAIR_LIMIT = 50_000;

export interface RepairDeps extends DriftDeps {
  importDeps: ImportDeps;
  audit: Pick<SyncAuditLog, 'audit'>;
}

class RolledBack {
  constructor(readonly failed: RepairResult['failed']) {}
}

const failuresOf = (r: ImportReport) =>
  r.typeReports.flatMap((t) =>
    t.objectReports
      .filter((o) => o.errorReports.length > 0)
      .map((o) => ({
        type: t.klass,
        id: o.uid ?? `#${o.index}`,
        message: o.errorReports.map((e) => `${e.errorCode}: ${e.message}`).join('; '),
      })),
  );

const body = (objects: { type: string; object: Record<string, unknown> }[]) => {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const o of objects) (out[o.type] ??= []).push(o.object);
  return out;
};

export async function repairDrift(deps: RepairDeps, input: RepairInput): Promise<RepairResult> {
  if (input.reason.trim().length < 5)
    throw new AppError(
      ErrorCode.VALIDATION_FAILED,
      'A reason of at least 5 characters is required for the audit log',
    );
  if (!(await driftBase(deps)))
    throw new AppError(
      ErrorCode.CONFLICT,
      'Nothing to repair: this instance has applied no version, so no state is implied',
    );
  const wanted = input.ids?.length ? new Set(input.ids) : null;
  const rows = {} as Record<DriftKind, DriftRow[]>;
  for (const kind of KINDS) {
    if (kind === 'created' && !input.includeCreated) {
      rows.created = [];
      continue;
    }
    const list = await deps.store.list(kind, {
      limit: REPAIR_LIMIT + 1,
      exempt: DRIFT_EXEMPT,
      ...(input.type ? { type: input.type } : {}),
    });
    if (list.length > REPAIR_LIMIT)
      throw new AppError(
        ErrorCode.CONFLICT,
        `More than ${REPAIR_LIMIT} objects ${kind} locally: repair them a type at a time`,
      );
    rows[kind] = wanted ? list.filter((r) => wanted.has(r.id)) : list;
  }
  const shown = await describe(deps, rows);
  const implied = await impliedObjects(deps.implied, [...rows.changed, ...rows.deleted]);
  const failed: RepairResult['failed'] = [];
  const restore: { type: string; object: Record<string, unknown> }[] = [];
  for (const r of [...rows.changed, ...rows.deleted]) {
    const object = implied.get(keyOf(r.type, r.id));
    if (object) restore.push({ type: r.type, object });
    else
      failed.push({
        type: r.type,
        id: r.id,
        message: `No implied content: the snapshot of ${r.version ?? 'its version'} is not stored here`,
      });
  }
  const result = (after: RepairResult['after']): RepairResult => ({
    dryRun: input.dryRun === true,
    restored: shown.changed.filter((o) => !failed.some((f) => f.id === o.id)),
    recreated: shown.deleted.filter((o) => !failed.some((f) => f.id === o.id)),
    removed: shown.created,
    failed,
    after,
  });
  if (input.dryRun || (restore.length === 0 && rows.created.length === 0))
    return result((await driftCounts(deps)).counts);
  if (failed.length)
    return {
      ...result((await driftCounts(deps)).counts),
      restored: [],
      recreated: [],
      removed: [],
    };

  const ctx = {
    actorId: input.actorId,
    now: deps.now(),
    newUid: deps.importDeps.newUid,
    passwordHashes: new Map<string, string>(),
  };
  const params = { ...DEFAULT_IMPORT_PARAMS, atomicMode: 'NONE' as const };
  const put = (w: MetadataWriter, objects: typeof restore) =>
    planAndApply(w, prepareEntries(parsePayload(body(objects)).entries), { ...ctx, params });
  try {
    await deps.metadata.write(async (w) => {
      const first = await put(w, restore);
      if (rows.created.length) {
        const del = await planAndApply(
          w,
          prepareEntries(
            parsePayload(body(rows.created.map((r) => ({ type: r.type, object: { id: r.id } }))))
              .entries,
          ),
          { ...ctx, params: { ...params, importStrategy: 'DELETE' } },
        );
        const left = failuresOf(del.report);
        if (left.length) throw new RolledBack(left);
      }
      const again = new Set(failuresOf(first.report).map((f) => f.id));
      if (again.size) {
        const second = await put(
          w,
          restore.filter((o) => again.has(o.object.id as string)),
        );
        const left = failuresOf(second.report);
        if (left.length) throw new RolledBack(left);
      }
    });
  } catch (e) {
    if (!(e instanceof RolledBack)) throw e;
    failed.push(...e.failed);
    return {
      ...result((await driftCounts(deps)).counts),
      restored: [],
      recreated: [],
      removed: [],
    };
  }
  const { counts } = await driftCounts(deps);
  await deps.store.saveSummary({ ...counts, checkedAt: deps.now().toISOString() });
  const done = result(counts);
  const brief = (list: DriftObject[]) => list.map((o) => `${o.type}/${o.id}`);
  await deps.audit.audit({
    action: DRIFT_REPAIR,
    username: input.username,
    at: deps.now(),
    reason: input.reason.trim(),
    details: {
      scope: { type: input.type ?? null, ids: input.ids ?? null },
      includeCreated: input.includeCreated === true,
      restored: brief(done.restored),
      recreated: brief(done.recreated),
      removed: brief(done.removed),
      after: counts,
    },
  });
  return done;
}
