/**
 * The metadata import use case (`POST /api/metadata`, issue 4 §2): parse, prepare, hash any
 * passwords (outside the write lock: scrypt is slow), then plan and apply inside one write
 * transaction so that the plan's look-ups cannot go stale and ALL means all-or-nothing. The
 * escalation rule (`auth/escalation.ts`) is checked first in that transaction, so no caller of
 * the import can write users or roles beyond the authorities of the actor it names.
 */
import { refuseEscalation } from '../auth/escalation.ts';
import type { Clock, MetadataStore, MetadataWriter, PasswordHasher } from '../ports.ts';
import type { ImportParams } from './import-params.ts';
import { ImportErrorCode, type ImportReport } from './import-report.ts';
import { parsePayload, type SkippedType } from './parse-payload.ts';
import { planImport, type ImportPlan } from './plan-import.ts';
import type { PlanContext } from './plan-import-types.ts';
import { lookupKeys, prepareEntries, type PreparedEntry } from './prepare-entries.ts';

export interface ImportDeps {
  store: MetadataStore;
  hasher: PasswordHasher;
  clock: Clock;
  newUid: () => string;
  /** True for a value that is already a password hash we can verify (DHIS2's bcrypt). */
  isPasswordHash: (value: string) => boolean;
}

/** Who imports: the id recorded on the objects and the authorities the escalation rule checks. */
export interface ImportActor {
  id: string;
  authorities: ReadonlySet<string>;
}

export async function hashPasswords(
  deps: ImportDeps,
  prepared: readonly PreparedEntry[],
): Promise<Map<string, string>> {
  const plain = new Set<string>();
  for (const p of prepared) {
    if (p.type.key !== 'users' || !p.object) continue;
    const creds = p.object.userCredentials as Record<string, unknown> | undefined;
    for (const v of [p.object.password, creds?.password])
      if (typeof v === 'string' && v !== '') plain.add(v);
  }
  const out = new Map<string, string>();
  for (const pw of plain) out.set(pw, deps.isPasswordHash(pw) ? pw : await deps.hasher.hash(pw));
  return out;
}

/** Context for planning and applying one import inside a write transaction. */
export interface ApplyContext {
  params: ImportParams;
  actorId: string;
  now: Date;
  newUid: () => string;
  passwordHashes: ReadonlyMap<string, string>;
  /** A version's import: collects the drift baseline (plan-import-types.ts). */
  baseline?: PlanContext['baseline'];
}

/** Plans the prepared payload against the store and, under COMMIT, writes it (same transaction). */
export async function planAndApply(
  writer: MetadataWriter,
  prepared: readonly PreparedEntry[],
  ctx: ApplyContext,
): Promise<ImportPlan> {
  const lookups = await writer.lookups(lookupKeys(prepared), {
    referrers: ctx.params.importStrategy === 'DELETE',
  });
  const planned = planImport(prepared, lookups, {
    params: ctx.params,
    now: ctx.now,
    actorId: ctx.actorId,
    newUid: ctx.newUid,
    baseline: ctx.baseline,
  });
  if (
    ctx.params.importMode === 'COMMIT' &&
    (planned.writes.length > 0 || planned.deletes.length > 0)
  )
    await writer.apply(planned, {
      actorId: ctx.actorId,
      now: ctx.now,
      passwordHashes: ctx.passwordHashes,
    });
  return planned;
}

export async function importMetadata(
  deps: ImportDeps,
  body: unknown,
  params: ImportParams,
  actor: ImportActor,
): Promise<ImportReport> {
  const parsed = parsePayload(body);
  const prepared = prepareEntries(parsed.entries);
  const passwordHashes = await hashPasswords(deps, prepared);
  const plan = await deps.store.write(async (writer) => {
    await refuseEscalation(body, actor.authorities, (type) => writer.list(type));
    return planAndApply(writer, prepared, {
      params,
      actorId: actor.id,
      now: deps.clock.now(),
      newUid: deps.newUid,
      passwordHashes,
    });
  });
  const report = plan.report;
  reportSkippedTypes(report, parsed.unknownTypes);
  report.importParams = { ...params, userOverrideMode: 'NONE' };
  return report;
}

/**
 * Adds a type report per key whose objects were not imported, each with one error report: E4065
 * for a DHIS2 type metasync does not store, E4064 for a key that is no metadata type. They make
 * an OK report a WARNING: nothing in a payload or a version is dropped silently (issue 16 §8).
 */
export function reportSkippedTypes(report: ImportReport, skipped: readonly SkippedType[]): void {
  for (const u of skipped) {
    const klass = u.klass ?? u.key;
    report.typeReports.push({
      klass,
      stats: { created: 0, updated: 0, deleted: 0, ignored: u.count, total: u.count },
      objectReports: [
        {
          klass,
          index: 0,
          errorReports: [
            u.klass
              ? {
                  message: `metasync does not store \`${u.key}\` (installation-specific metadata or credentials): its ${u.count} objects were ignored`,
                  mainKlass: klass,
                  errorCode: ImportErrorCode.E4065,
                }
              : {
                  message: `Unknown metadata type \`${u.key}\`: its ${u.count} objects were ignored`,
                  mainKlass: klass,
                  errorCode: ImportErrorCode.E4064,
                },
          ],
        },
      ],
    });
    report.stats.ignored += u.count;
    report.stats.total += u.count;
    if (report.status === 'OK') report.status = 'WARNING';
  }
}
