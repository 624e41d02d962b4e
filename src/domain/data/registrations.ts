/**
 * Complete data set registrations (issue 7 §2, contract §11.2): validation and the pure plan of
 * one import, in DHIS2's wire shape (`organisationUnit`, `date`, `completed`).
 */
import { DEFAULT_COC } from './data-values.ts';
import type { ImportConflict, ImportCount } from './import-summary.ts';
import { emptyCount } from './import-summary.ts';
import { parsePeriod } from './periods.ts';

export interface Registration {
  dataSet: string;
  period: string;
  organisationUnit: string;
  attributeOptionCombo: string;
  date: string;
  storedBy: string | null;
  lastUpdatedBy: string | null;
  lastUpdated: string;
  completed: boolean;
  deleted: boolean;
}

export const registrationKey = (r: Registration) =>
  [r.dataSet, r.period, r.organisationUnit, r.attributeOptionCombo].join('\u0000');

export interface RegistrationRefs {
  dataSets: ReadonlySet<string>;
  orgUnits: ReadonlySet<string>;
  optionCombos: ReadonlySet<string>;
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
const iso = (v: unknown, fallback: string) =>
  typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : fallback;

/**
 * One registration as sent. `date`, `storedBy`, `lastUpdatedBy` and `lastUpdated` are kept as
 * sent (`now` when absent or unparseable), as DHIS2's `saveCompleteDataSetRegistration` does, so
 * one forwarded by a relay keeps the district's (issue 21 §2).
 */
export function validateRegistration(
  input: Record<string, unknown>,
  index: number,
  refs: RegistrationRefs,
  now: string,
): { ok: true; value: Registration } | { ok: false; conflict: ImportConflict } {
  const fail = (object: string, value: string) => ({
    ok: false as const,
    conflict: { object, value, indexes: [index] },
  });
  const dataSet = str(input.dataSet) ?? '';
  if (!refs.dataSets.has(dataSet)) return fail(dataSet, `Data set not found: \`${dataSet}\``);
  const periodId = str(input.period) ?? '';
  const period = parsePeriod(periodId)?.id; // canonical, as data values (issue 16 §3)
  if (!period) return fail(periodId, `Period not valid: \`${periodId}\``);
  const ou = str(input.organisationUnit) ?? str(input.orgUnit) ?? '';
  if (!refs.orgUnits.has(ou)) return fail(ou, `Organisation unit not found: \`${ou}\``);
  const aoc = str(input.attributeOptionCombo) ?? DEFAULT_COC;
  if (!refs.optionCombos.has(aoc)) return fail(aoc, `Attribute option combo not found: \`${aoc}\``);
  return {
    ok: true,
    value: {
      dataSet,
      period,
      organisationUnit: ou,
      attributeOptionCombo: aoc,
      date: iso(input.date, now),
      storedBy: str(input.storedBy) ?? null,
      lastUpdatedBy: str(input.lastUpdatedBy) ?? null,
      lastUpdated: iso(input.lastUpdated, now),
      completed: input.completed !== false && input.completed !== 'false',
      deleted: input.deleted === true,
    },
  };
}

/** CREATE_AND_UPDATE; an identical registration is ignored without conflict (re-push is a no-op). */
export function planRegistrations(
  incoming: readonly Registration[],
  stored: ReadonlyMap<string, Registration>,
): { writes: Registration[]; count: ImportCount } {
  const count = emptyCount();
  const writes = new Map<string, Registration>();
  for (const r of incoming) {
    const key = registrationKey(r);
    const old = writes.get(key) ?? stored.get(key);
    const live = old && !old.deleted ? old : undefined;
    if (r.deleted) {
      if (live) {
        writes.set(key, { ...live, deleted: true, lastUpdated: r.lastUpdated });
        count.deleted++;
      } else count.ignored++;
      continue;
    }
    if (live && live.completed === r.completed && live.date === r.date) {
      count.ignored++;
      continue;
    }
    writes.set(key, r);
    if (live) count.updated++;
    else count.imported++;
  }
  return { writes: [...writes.values()], count };
}
