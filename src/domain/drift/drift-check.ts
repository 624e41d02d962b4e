/**
 * The drift check (issue 23 §1, §2): counts per type from the store's comparison of the
 * baseline with the live content hashes, the lists cut at a limit, and for each listed changed
 * object the paths that differ, read from its implied content and its live content.
 */
import { DEFAULT_IMPORT_PARAMS } from '../metadata/import-params.ts';
import { storedForm } from '../metadata/plan-import-writes.ts';
import { metadataType } from '../metadata/types.ts';
import type { MetadataStore, VersionStore } from '../ports.ts';
import type {
  DriftBase,
  DriftCounts,
  DriftKind,
  DriftObject,
  DriftReport,
  DriftSummary,
} from './drift.ts';
import { noDrift } from './drift.ts';
import { keyOf, type DriftRow, type DriftStore } from './drift-store.ts';
import { DRIFT_EXEMPT, DRIFT_IGNORED } from './ignored-properties.ts';
import { impliedObjects, type ImpliedSource } from './implied-content.ts';
import { diffPaths } from './object-diff.ts';
import { foldBaseline } from './baseline-fold.ts';

export interface DriftDeps {
  store: DriftStore;
  metadata: Pick<MetadataStore, 'get' | 'write'>;
  versions: Pick<VersionStore, 'list'>;
  implied: ImpliedSource;
  now: () => Date;
}

export const KINDS: readonly DriftKind[] = ['changed', 'created', 'deleted'];

/**
 * Where the implied state starts; null when this instance applied no version. A local upgraded
 * from before drift was tracked gets its baseline folded here, once (./baseline-fold.ts).
 */
export async function driftBase(deps: DriftDeps): Promise<DriftBase | null> {
  const applied = (await deps.versions.list())
    .filter((v) => v.importDate !== null)
    .sort((a, b) => a.number - b.number);
  let record = await deps.store.base();
  if (!record && applied.length) {
    await foldBaseline(
      { snapshots: deps.implied.snapshots, metadata: deps.metadata },
      applied.map((v) => v.name),
    );
    await deps.store.markFolded(deps.now());
    record = await deps.store.base();
  }
  const upTo = applied.at(-1)?.name ?? record?.version ?? null;
  if (record?.kind === 'REBASELINE' && record.version)
    return {
      kind: 'REBASELINE',
      version: record.version,
      since: record.at.toISOString(),
      upTo: upTo ?? record.version,
    };
  const first = applied[0];
  if (!first) return null;
  return {
    kind: 'VERSIONS',
    version: first.name,
    since: first.importDate!.toISOString(),
    upTo: upTo ?? first.name,
  };
}

/** The counts in total and per type, recorded for the status (issue 23 §3). */
export async function driftCounts(
  deps: Pick<DriftDeps, 'store'>,
): Promise<{ counts: DriftCounts; types: Record<string, DriftCounts> }> {
  const counts = noDrift();
  const types: Record<string, DriftCounts> = {};
  for (const c of await deps.store.counts(DRIFT_EXEMPT)) {
    counts[c.kind] += c.count;
    (types[c.type] ??= noDrift())[c.kind] += c.count;
  }
  return { counts, types };
}

/** An object's content as the comparison sees it: the stored form, ignored properties gone. */
export const comparable = (type: string, object: Record<string, unknown>, id: string) => {
  const t = metadataType(type);
  return t ? storedForm(t, object, id, DEFAULT_IMPORT_PARAMS.skipSharing) : object;
};

const label = (o: Record<string, unknown> | null | undefined, key: 'name' | 'code') =>
  typeof o?.[key] === 'string' ? (o[key] as string) : null;

/** Lists the drifted objects of each kind with their details (paths for the changed ones). */
export async function describe(
  deps: DriftDeps,
  rows: Record<DriftKind, DriftRow[]>,
): Promise<Record<DriftKind, DriftObject[]>> {
  const implied = await impliedObjects(deps.implied, [...rows.changed, ...rows.deleted]);
  const changed: DriftObject[] = [];
  for (const r of rows.changed) {
    const o: DriftObject = { type: r.type, id: r.id, name: r.name, code: r.code };
    if (r.version) o.version = r.version;
    const before = implied.get(keyOf(r.type, r.id));
    const live = await deps.metadata.get(r.type, r.id);
    if (before && live) {
      const { paths, more } = diffPaths(
        comparable(r.type, before, r.id),
        comparable(r.type, live, r.id),
      );
      o.paths = paths;
      if (more) o.morePaths = true;
    }
    changed.push(o);
  }
  const deleted = rows.deleted.map((r): DriftObject => {
    const before = implied.get(keyOf(r.type, r.id));
    const o: DriftObject = {
      type: r.type,
      id: r.id,
      name: label(before, 'name'),
      code: label(before, 'code'),
    };
    if (r.version) o.version = r.version;
    return o;
  });
  const created = rows.created.map((r): DriftObject => ({
    type: r.type,
    id: r.id,
    name: r.name,
    code: r.code,
  }));
  return { changed, created, deleted };
}

export async function checkDrift(
  deps: DriftDeps,
  options: { limit?: number; type?: string } = {},
): Promise<DriftReport> {
  const limit = options.limit ?? 500;
  const checkedAt = deps.now();
  const base = await driftBase(deps);
  const report: DriftReport = {
    checkedAt: checkedAt.toISOString(),
    base,
    counts: noDrift(),
    types: {},
    changed: [],
    created: [],
    deleted: [],
    truncated: false,
    ignoredProperties: [...DRIFT_IGNORED],
  };
  if (!base) return report;
  const { counts, types } = await driftCounts(deps);
  const rows = {} as Record<DriftKind, DriftRow[]>;
  for (const kind of KINDS)
    rows[kind] = await deps.store.list(kind, {
      limit,
      exempt: DRIFT_EXEMPT,
      ...(options.type ? { type: options.type } : {}),
    });
  Object.assign(report, await describe(deps, rows), { counts, types });
  const shown = options.type ? (types[options.type] ?? noDrift()) : counts;
  report.truncated = KINDS.some((k) => shown[k] > rows[k].length);
  const summary: DriftSummary = { ...counts, checkedAt: report.checkedAt };
  await deps.store.saveSummary(summary);
  return report;
}
