/**
 * Imports a version's metadata type by type (issue 18 §1) inside the caller's write transaction:
 * one type's objects are parsed, prepared, planned and applied, then let go before the next type
 * is read, so memory follows the largest type, not the version.
 *
 * The report is the one a whole-payload import gives (same counts, statuses, error codes and
 * paths, types in import order):
 * - references to objects of earlier types resolve because those are written in this
 *   transaction; references to later types resolve against the ids the first pass collected
 *   (snapshot-scan.ts), less the objects that already failed (docs/deviations.md: a reference to
 *   a later object that then fails is not caught);
 * - under ATOMIC, once a type fails nothing more is applied but every later type is still
 *   planned, so that all errors are listed; then every object is reported ignored, as one
 *   aborted plan reports them, and the caller rolls the transaction back.
 */
import { addStats, emptyStats, type ImportReport } from '../metadata/import-report.ts';
import {
  hashPasswords,
  planAndApply,
  type ApplyContext,
  type ImportDeps,
} from '../metadata/import-metadata.ts';
import { parsePayload } from '../metadata/parse-payload.ts';
import { prepareEntries, type PreparedEntry } from '../metadata/prepare-entries.ts';
import type { MetadataType } from '../metadata/types.ts';
import type { MetadataWriter } from '../ports.ts';

export interface TypeImport {
  /** Plans and (unless an ATOMIC import already failed) applies one type's objects. */
  add(type: MetadataType, objects: unknown[]): Promise<void>;
  /** The combined report: the same as planning all the types at once. */
  report(): ImportReport;
}

export function typeByTypeImport(
  deps: ImportDeps,
  writer: MetadataWriter,
  ids: ReadonlyMap<string, string>,
  ctx: Omit<ApplyContext, 'passwordHashes'>,
): TypeImport {
  const atomic = ctx.params.atomicMode === 'ALL';
  const reports: ImportReport[] = [];
  const failedIds = new Set<string>();
  let aborted = false;
  let current = '';
  // Only `lookups` differs: a reference to an object of another type of this version resolves,
  // unless that object failed; the current type's own objects resolve through the plan itself.
  const resolving = new Proxy(writer, {
    get(target, property, receiver) {
      if (property === 'lookups')
        return async (...args: Parameters<MetadataWriter['lookups']>) => {
          const found = await target.lookups(...args);
          let existing: Set<string> | null = null;
          for (const id of args[0].refs) {
            if (found.existing.has(id) || failedIds.has(id)) continue;
            const type = ids.get(id);
            if (type === undefined || type === current) continue;
            (existing ??= new Set(found.existing)).add(id);
          }
          return existing ? { ...found, existing } : found;
        };
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });

  return {
    async add(type, objects) {
      if (objects.length === 0) return;
      current = type.key;
      const prepared: PreparedEntry[] = prepareEntries(
        parsePayload({ [type.key]: objects }).entries,
      );
      // Hashing inside the transaction: only users carry passwords (issue 18 §1).
      const passwordHashes = await hashPasswords(deps, prepared);
      const params = aborted ? { ...ctx.params, importMode: 'VALIDATE' as const } : ctx.params;
      const plan = await planAndApply(resolving, prepared, { ...ctx, params, passwordHashes });
      for (const t of plan.report.typeReports)
        for (const o of t.objectReports) if (o.uid && o.errorReports.length) failedIds.add(o.uid);
      if (atomic && plan.report.status === 'ERROR') aborted = true;
      reports.push(plan.report);
    },
    report() {
      const typeReports = reports.flatMap((r) => r.typeReports);
      if (aborted)
        // One aborted plan counts every object ignored (plan-import-writes.ts `assemble`).
        for (const t of typeReports) {
          const total = t.stats.total;
          t.stats = { ...emptyStats(), ignored: total, total };
        }
      const stats = emptyStats();
      for (const t of typeReports) addStats(stats, t.stats);
      const failed = reports.some((r) => r.status !== 'OK');
      const status = !failed ? 'OK' : aborted ? 'ERROR' : 'WARNING';
      return { responseType: 'ImportReport', status, stats, typeReports };
    },
  };
}
