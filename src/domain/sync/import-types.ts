/**
 * Imports a version's metadata type by type (issue 18 §1) inside the caller's write transaction,
 * each type in slices: a slice's objects are parsed, prepared, planned and applied, then let go
 * before the next slice is read, so memory follows the slice, not the version.
 *
 * The report is the one a whole-payload import gives (same counts, statuses, error codes and
 * paths, types in import order):
 * - references to objects of earlier types and slices resolve because those are written in this
 *   transaction; references to later ones resolve against the ids the first pass collected
 *   (snapshot-scan.ts), less the objects that already failed (docs/deviations.md: a reference to
 *   a later object that then fails is not caught, nor an org unit loop across slices); codes and
 *   names repeated across slices meet the earlier slice's stored object: the same E5003;
 * - under ATOMIC, once a type fails nothing more is applied but every later type is still
 *   planned, so that all errors are listed; then every object is reported ignored, as one
 *   aborted plan reports them, and the caller rolls the transaction back.
 */
import {
  addStats,
  emptyStats,
  type ImportReport,
  type TypeReport,
} from '../metadata/import-report.ts';
import {
  hashPasswords,
  planAndApply,
  type ApplyContext,
  type ImportDeps,
} from '../metadata/import-metadata.ts';
import { parsePayload } from '../metadata/parse-payload.ts';
import {
  prepareEntries,
  type LookupKeys,
  type PreparedEntry,
} from '../metadata/prepare-entries.ts';
import type { BaselineRow } from '../metadata/plan-import-types.ts';
import type { MetadataType } from '../metadata/types.ts';
import type { MetadataWriter } from '../ports.ts';

export interface TypeImport {
  /**
   * Plans and (unless an ATOMIC import already failed) applies one type's objects, slice by
   * slice as `batches` gives them.
   */
  add(type: MetadataType, batches: Iterable<unknown[]>): Promise<void>;
  /** The combined report: the same as planning all the types at once. */
  report(): ImportReport;
}

export function typeByTypeImport(
  deps: ImportDeps,
  writer: MetadataWriter,
  ids: ReadonlyMap<string, string>,
  ctx: Omit<ApplyContext, 'passwordHashes' | 'baseline'>,
  /** A version's import: record the drift baseline as given by this version (issue 23 §2). */
  baselineOf?: string,
): TypeImport {
  const atomic = ctx.params.atomicMode === 'ALL';
  const typeReports: TypeReport[] = [];
  const failedIds = new Set<string>();
  let failed = false;
  let aborted = false;
  let slice = new Set<string>();
  let orgUnits = false;
  // Only `lookups` differs: a reference to another object of this version resolves, unless that
  // object failed; the objects of the slice being planned resolve through the plan itself.
  const resolving = new Proxy(writer, {
    get(target, property, receiver) {
      if (property === 'lookups')
        return async (keys: LookupKeys, options: { referrers: boolean }) => {
          const resolves = (id: string) => ids.has(id) && !failedIds.has(id) && !slice.has(id);
          // Those references resolve whatever the store holds, so the store is not asked about
          // them (most of a bootstrap's, issue 18 §5). Org units keep them all: the store walks
          // the stored parent chains above every existing reference for the loop check.
          const refs = orgUnits ? keys.refs : new Set([...keys.refs].filter((id) => !resolves(id)));
          const found = await target.lookups({ ...keys, refs }, options);
          let existing: Set<string> | null = null;
          for (const id of keys.refs) {
            if (found.existing.has(id) || !resolves(id)) continue;
            (existing ??= new Set(found.existing)).add(id);
          }
          return existing ? { ...found, existing } : found;
        };
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });

  return {
    async add(type, batches) {
      let offset = 0;
      let merged: TypeReport | null = null;
      for (const objects of batches) {
        // Each object keeps its index in the type's whole array, as the report shows it.
        const entries = parsePayload({ [type.key]: objects }).entries.map((e) => ({
          ...e,
          index: e.index + offset,
        }));
        offset += objects.length;
        const prepared: PreparedEntry[] = prepareEntries(entries);
        slice = new Set(prepared.map((p) => p.id).filter((id): id is string => id !== null));
        orgUnits = type.key === 'organisationUnits';
        // Hashing inside the transaction: only users carry passwords (issue 18 §1).
        const passwordHashes = await hashPasswords(deps, prepared);
        const params = aborted ? { ...ctx.params, importMode: 'VALIDATE' as const } : ctx.params;
        const baseline: BaselineRow[] | undefined = baselineOf && !aborted ? [] : undefined;
        const plan = await planAndApply(resolving, prepared, {
          ...ctx,
          params,
          passwordHashes,
          baseline,
        });
        if (baseline?.length) await writer.setBaseline(baselineOf!, baseline);
        for (const t of plan.report.typeReports) {
          for (const o of t.objectReports) if (o.uid && o.errorReports.length) failedIds.add(o.uid);
          if (!merged)
            typeReports.push((merged = { ...t, stats: emptyStats(), objectReports: [] }));
          addStats(merged.stats, t.stats);
          merged.objectReports.push(...t.objectReports);
        }
        if (plan.report.status !== 'OK') failed = true;
        if (atomic && plan.report.status === 'ERROR') aborted = true;
      }
      slice = new Set();
    },
    report() {
      if (aborted)
        // One aborted plan counts every object ignored (plan-import-writes.ts `assemble`).
        for (const t of typeReports) {
          const total = t.stats.total;
          t.stats = { ...emptyStats(), ignored: total, total };
        }
      const stats = emptyStats();
      for (const t of typeReports) addStats(stats, t.stats);
      const status = !failed ? 'OK' : aborted ? 'ERROR' : 'WARNING';
      return { responseType: 'ImportReport', status, stats, typeReports };
    },
  };
}
