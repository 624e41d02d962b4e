/**
 * The metadata import use case (`POST /api/metadata`, issue 4 §2): parse, prepare, hash any
 * passwords (outside the write lock: scrypt is slow), then plan and apply inside one write
 * transaction so that the plan's look-ups cannot go stale and ALL means all-or-nothing.
 */
import type { Clock, MetadataStore, PasswordHasher } from '../ports.ts';
import type { ImportParams } from './import-params.ts';
import { ImportErrorCode, type ImportReport } from './import-report.ts';
import { parsePayload } from './parse-payload.ts';
import { planImport } from './plan-import.ts';
import { lookupKeys, prepareEntries, type PreparedEntry } from './prepare-entries.ts';

export interface ImportDeps {
  store: MetadataStore;
  hasher: PasswordHasher;
  clock: Clock;
  newUid: () => string;
  /** True for a value that is already a password hash we can verify (DHIS2's bcrypt). */
  isPasswordHash: (value: string) => boolean;
}

async function hashPasswords(
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

export async function importMetadata(
  deps: ImportDeps,
  body: unknown,
  params: ImportParams,
  actorId: string,
): Promise<ImportReport> {
  const parsed = parsePayload(body);
  const prepared = prepareEntries(parsed.entries);
  const passwordHashes = await hashPasswords(deps, prepared);
  const plan = await deps.store.write(async (writer) => {
    const lookups = await writer.lookups(lookupKeys(prepared), {
      referrers: params.importStrategy === 'DELETE',
    });
    const now = deps.clock.now();
    const planned = planImport(prepared, lookups, { params, now, actorId, newUid: deps.newUid });
    if (params.importMode === 'COMMIT' && (planned.writes.length > 0 || planned.deletes.length > 0))
      await writer.apply(planned, { actorId, now, passwordHashes });
    return planned;
  });
  const report = plan.report;
  for (const u of parsed.unknownTypes) {
    report.typeReports.push({
      klass: u.key,
      stats: { created: 0, updated: 0, deleted: 0, ignored: u.count, total: u.count },
      objectReports: [
        {
          klass: u.key,
          index: 0,
          errorReports: [
            {
              message: `Unknown metadata type \`${u.key}\`: its ${u.count} objects were ignored`,
              mainKlass: u.key,
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
  report.importParams = { ...params, userOverrideMode: 'NONE' };
  return report;
}
