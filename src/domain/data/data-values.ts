/**
 * Aggregate data values (issue 7 §1): the row shape, value-type checks, and the pure plan that
 * turns a page of incoming values plus the stored ones into writes and DHIS2 import counts.
 * The store runs the plan inside the page's one transaction (house rule 1: no IO here).
 */
import type { ImportConflict, ImportCount } from './import-summary.ts';
import { emptyCount } from './import-summary.ts';
import { parsePeriod } from './periods.ts';

/** DHIS2's default category option combo, used when a value names no COC or AOC. */
export const DEFAULT_COC = 'HllvX50cXC0';

export const DATA_IMPORT_STRATEGIES = ['CREATE_AND_UPDATE', 'CREATE', 'UPDATE', 'DELETE'] as const;
export type DataImportStrategy = (typeof DATA_IMPORT_STRATEGIES)[number];

/** A stored data value, wire names (UIDs), dates as ISO UTC strings. */
export interface DataValue {
  dataElement: string;
  period: string;
  orgUnit: string;
  categoryOptionCombo: string;
  attributeOptionCombo: string;
  value: string | null;
  storedBy: string | null;
  created: string;
  lastUpdated: string;
  comment: string | null;
  followup: boolean;
  deleted: boolean;
}

/** A stored value on the wire; `deleted` only when set (DHIS2 omits it otherwise). */
export const wireValue = (v: DataValue) => {
  const { deleted, value, comment, storedBy, ...rest } = v;
  return {
    ...rest,
    ...(value !== null ? { value } : {}),
    ...(storedBy !== null ? { storedBy } : {}),
    ...(comment !== null ? { comment } : {}),
    ...(deleted ? { deleted: true } : {}),
  };
};

/** One incoming value as DHIS2 clients send it; anything may be missing or mistyped. */
export type DataValueInput = Record<string, unknown>;

export const dataValueKey = (v: {
  dataElement: string;
  period: string;
  orgUnit: string;
  categoryOptionCombo: string;
  attributeOptionCombo: string;
}) =>
  `${v.dataElement}\u0000${v.period}\u0000${v.orgUnit}\u0000${v.categoryOptionCombo}\u0000${v.attributeOptionCombo}`;

const NUMERIC: Record<string, (n: number) => boolean> = {
  NUMBER: () => true,
  INTEGER: Number.isInteger,
  INTEGER_POSITIVE: (n) => Number.isInteger(n) && n > 0,
  INTEGER_NEGATIVE: (n) => Number.isInteger(n) && n < 0,
  INTEGER_ZERO_OR_POSITIVE: (n) => Number.isInteger(n) && n >= 0,
  PERCENTAGE: (n) => n >= 0 && n <= 100,
  UNIT_INTERVAL: (n) => n >= 0 && n <= 1,
};

/** Why `value` is not valid for `valueType`, or null when it is (DHIS2 ValidationUtils). */
export function valueTypeProblem(valueType: string, value: string): string | null {
  const check = NUMERIC[valueType];
  if (check) {
    const n = Number(value);
    if (
      value.trim() === '' ||
      !Number.isFinite(n) ||
      !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value.trim())
    )
      return `Value must be a number: \`${value}\``;
    return check(n) ? null : `Value is not valid for value type ${valueType}: \`${value}\``;
  }
  switch (valueType) {
    case 'BOOLEAN':
      return /^(true|false)$/i.test(value) ? null : `Value must be true or false: \`${value}\``;
    case 'TRUE_ONLY':
      return /^true$/i.test(value) ? null : `Value must be true: \`${value}\``;
    case 'DATE':
      return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value))
        ? null
        : `Value must be a date (yyyy-MM-dd): \`${value}\``;
    case 'TEXT':
      return value.length <= 50_000 ? null : 'Value is too long';
    default:
      return null;
  }
}

/** References resolved by the store: what each key (UID or code) names, if anything. */
export interface ResolvedRefs {
  dataElements: ReadonlyMap<string, { id: string; valueType: string }>;
  orgUnits: ReadonlyMap<string, string>;
  optionCombos: ReadonlyMap<string, string>;
}

/** The defaults a data value set's top level gives its values (DHIS2 DataValueSet). */
export interface SetDefaults {
  period?: string | undefined;
  orgUnit?: string | undefined;
  attributeOptionCombo?: string | undefined;
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string'
    ? v
    : typeof v === 'number' || typeof v === 'boolean'
      ? String(v)
      : undefined;

/** The keys to resolve, with the set defaults applied. */
export function referenceKeys(values: readonly DataValueInput[], defaults: SetDefaults) {
  const de = new Set<string>();
  const ou = new Set<string>();
  const coc = new Set<string>([DEFAULT_COC]);
  for (const v of values) {
    const d = str(v.dataElement);
    if (d) de.add(d);
    const o = str(v.orgUnit) ?? defaults.orgUnit;
    if (o) ou.add(o);
    for (const c of [
      str(v.categoryOptionCombo),
      str(v.attributeOptionCombo) ?? defaults.attributeOptionCombo,
    ])
      if (c) coc.add(c);
  }
  return { dataElements: [...de], orgUnits: [...ou], optionCombos: [...coc] };
}

export type Validated = { ok: true; value: DataValue } | { ok: false; conflict: ImportConflict };

/**
 * `toISOString()`'s form with a day every month has and no 24:00, so the text is the instant's
 * canonical form as it is (a 29th–31st or anything else is parsed: V8 rolls 02-30 over to 03-01).
 */
const PLAIN_ISO =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/**
 * The check of one request's values against the resolved references. A value keeps the
 * `storedBy`, `created` and `lastUpdated` it is sent with, as DHIS2 did until DHIS2-8084
 * (dhis2-core #14415, 2.41 stamps its own clock), so a value forwarded by a relay reaches the top
 * with the timestamps of the server it was entered on (issue 21 §2); `now` stands in for an
 * absent or unparseable one. Watermarks count seq, never timestamps, so no clock is compared.
 * A push page repeats a few periods and timestamps thousands of times, so each distinct period
 * id and timestamp text is parsed once per request, not once per value (issue 18 §3).
 */
export function dataValueValidator(
  defaults: SetDefaults,
  refs: ResolvedRefs,
  now: string,
): (input: DataValueInput, index: number) => Validated {
  const periods = new Map<string, string | undefined>();
  const canonical = (id: string) => {
    let hit = periods.get(id);
    if (hit === undefined && !periods.has(id)) {
      // Stored under DHIS2's canonical id, so `2020-01` and `202001` are one value (issue 16 §3).
      hit = parsePeriod(id)?.id;
      periods.set(id, hit);
    }
    return hit;
  };
  const instants = new Map<string, string>();
  const instant = (v: unknown) => {
    if (typeof v !== 'string') return now;
    // What a metasync push sends (toISOString's own form): kept as it is, unparsed, since each
    // value has its own timestamps and parsing two per value costs a 10k page tens of ms.
    if (PLAIN_ISO.test(v)) return v;
    let hit = instants.get(v);
    if (hit === undefined) {
      hit = Number.isNaN(Date.parse(v)) ? now : new Date(v).toISOString();
      instants.set(v, hit);
    }
    return hit;
  };
  const fail = (index: number, object: string, value: string, errorCode: string): Validated => ({
    ok: false,
    conflict: { object, value, errorCode, indexes: [index] },
  });
  return (input, index) => {
    const deKey = str(input.dataElement) ?? '';
    const de = refs.dataElements.get(deKey);
    if (!de)
      return fail(index, deKey, `Data element not found or not accessible: \`${deKey}\``, 'E7610');
    const periodId = str(input.period) ?? defaults.period ?? '';
    const period = canonical(periodId);
    if (!period) return fail(index, periodId, `Period not valid: \`${periodId}\``, 'E7611');
    const ouKey = str(input.orgUnit) ?? defaults.orgUnit ?? '';
    const orgUnit = refs.orgUnits.get(ouKey);
    if (!orgUnit)
      return fail(
        index,
        ouKey,
        `Organisation unit not found or not accessible: \`${ouKey}\``,
        'E7612',
      );
    const cocKey = str(input.categoryOptionCombo) ?? DEFAULT_COC;
    const coc = refs.optionCombos.get(cocKey);
    if (!coc)
      return fail(
        index,
        cocKey,
        `Category option combo not found or not accessible: \`${cocKey}\``,
        'E7613',
      );
    const aocKey = str(input.attributeOptionCombo) ?? defaults.attributeOptionCombo ?? DEFAULT_COC;
    const aoc = refs.optionCombos.get(aocKey);
    if (!aoc)
      return fail(
        index,
        aocKey,
        `Attribute option combo not found or not accessible: \`${aocKey}\``,
        'E7615',
      );
    const deleted = input.deleted === true || input.deleted === 'true';
    const raw =
      input.value === null || input.value === undefined ? null : (str(input.value) ?? null);
    if (raw !== null && raw !== '' && !deleted) {
      const problem = valueTypeProblem(de.valueType, raw);
      if (problem) return fail(index, raw, `${problem} (data element \`${de.id}\`)`, 'E7619');
    }
    return {
      ok: true,
      value: {
        dataElement: de.id,
        period,
        orgUnit,
        categoryOptionCombo: coc,
        attributeOptionCombo: aoc,
        value: raw === '' ? null : raw,
        storedBy: str(input.storedBy) ?? null,
        created: instant(input.created),
        lastUpdated: instant(input.lastUpdated),
        comment: str(input.comment) ?? null,
        followup: input.followup === true || input.followup === 'true',
        deleted,
      },
    };
  };
}

export interface DataValuePlan {
  writes: DataValue[];
  count: ImportCount;
  conflicts: ImportConflict[];
}

const same = (a: DataValue, b: DataValue) =>
  a.value === b.value && a.comment === b.comment && a.followup === b.followup && !b.deleted;

/**
 * DHIS2's import strategies over one page. A value with `deleted: true`, or with neither value
 * nor comment, deletes (soft, so the deletion is pushed on). A value identical to the stored
 * one is left alone and counted `ignored` without conflict, so a re-push changes nothing.
 */
export function planDataValues(
  incoming: readonly DataValue[],
  stored: ReadonlyMap<string, DataValue>,
  strategy: DataImportStrategy,
): DataValuePlan {
  const count = emptyCount();
  const conflicts: ImportConflict[] = [];
  const writes = new Map<string, DataValue>();
  for (const v of incoming) {
    const key = dataValueKey(v);
    const old = writes.get(key) ?? stored.get(key);
    const live = old && !old.deleted ? old : undefined;
    const remove = strategy === 'DELETE' || v.deleted || (v.value === null && v.comment === null);
    if (remove) {
      if (!live) {
        count.ignored++;
        continue;
      }
      writes.set(key, {
        ...live,
        deleted: true,
        lastUpdated: v.lastUpdated,
        storedBy: v.storedBy ?? live.storedBy,
      });
      count.deleted++;
      continue;
    }
    if (live && strategy === 'CREATE') {
      count.ignored++;
      conflicts.push({
        object: v.dataElement,
        value: 'Data value already exists; importStrategy is CREATE',
      });
      continue;
    }
    if (!live && strategy === 'UPDATE') {
      count.ignored++;
      conflicts.push({
        object: v.dataElement,
        value: 'Data value does not exist; importStrategy is UPDATE',
      });
      continue;
    }
    if (live && same(v, live)) {
      count.ignored++;
      continue;
    }
    writes.set(key, live ? { ...v, created: live.created } : v);
    if (live) count.updated++;
    else count.imported++;
  }
  return { writes: [...writes.values()], count, conflicts };
}
