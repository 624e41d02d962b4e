/**
 * DHIS2 ISO period identifiers (issue 7 §1, issue 16 §3): parsing, validation, the canonical id
 * and the days a period covers (for `startDate`/`endDate` exports). Pure: no clock, dates are UTC
 * midnights (see period-weeks.ts for the week rule).
 *
 * The grammar is the union of what DHIS2 2.39–2.43 read (`DateUnitType` patterns ≤ 2.42,
 * `Period.Input.of` in 2.43) and the dates are those of `DateUnitPeriodTypeParser`. Every type is
 * accepted whatever `system.version` says: a central must take what any local sends (the
 * release each type appeared in is listed in docs/protocol.md). Ids are stored in the canonical
 * form DHIS2 names a period with (`PeriodType.getIsoDate`): `2020-01` is `202001`, `2020W01` is
 * `2020W1`. TwoYearly has no ISO id in DHIS2 and is not a period here either.
 */
import { addDays, monthSpan, utc, weekStart } from './period-weeks.ts';

export type PeriodType =
  | 'Daily'
  | 'Weekly'
  | 'WeeklyWednesday'
  | 'WeeklyThursday'
  | 'WeeklyFriday'
  | 'WeeklySaturday'
  | 'WeeklySunday'
  | 'BiWeekly'
  | 'Monthly'
  | 'BiMonthly'
  | 'Quarterly'
  | 'QuarterlyNov'
  | 'SixMonthly'
  | 'SixMonthlyApril'
  | 'SixMonthlyNov'
  | 'Yearly'
  | 'FinancialFeb'
  | 'FinancialApril'
  | 'FinancialJuly'
  | 'FinancialAug'
  | 'FinancialSep'
  | 'FinancialOct'
  | 'FinancialNov';

export interface Period {
  /** The canonical id (DHIS2's `getIsoDate`). */
  id: string;
  type: PeriodType;
  /** First day (UTC midnight). */
  start: Date;
  /** Last day (UTC midnight). */
  end: Date;
}

/** Week prefix → type and first weekday (0 = Sunday), as `PeriodType.MAP_WEEK_TYPE`. */
const WEEKLY: Record<string, [PeriodType, number]> = {
  W: ['Weekly', 1],
  WedW: ['WeeklyWednesday', 3],
  ThuW: ['WeeklyThursday', 4],
  FriW: ['WeeklyFriday', 5],
  SatW: ['WeeklySaturday', 6],
  SunW: ['WeeklySunday', 0],
};

/**
 * Financial year suffix → type, first month and the year offset of its start. FinancialNov is
 * the one named after the year it ends in: `2000Nov` is November 1999 – October 2000
 * (`DateUnitPeriodTypeParser`, `FinancialNovemberPeriodType.getIsoDate` = start year + 1).
 */
const FINANCIAL: Record<string, [PeriodType, number, number]> = {
  Feb: ['FinancialFeb', 2, 0],
  April: ['FinancialApril', 4, 0],
  July: ['FinancialJuly', 7, 0],
  Aug: ['FinancialAug', 8, 0],
  Sep: ['FinancialSep', 9, 0],
  Oct: ['FinancialOct', 10, 0],
  Nov: ['FinancialNov', 11, -1],
};

/**
 * Month-based types `<year><infix><n>`: type, months per period, and the first month of period
 * n counted from January of the id's year (so 2000NovQ1 starts in month -1 = November 1999).
 */
const MONTHLY: Record<string, [PeriodType, number, (n: number) => number, number]> = {
  Q: ['Quarterly', 3, (n) => 3 * n - 2, 4],
  NovQ: ['QuarterlyNov', 3, (n) => 3 * n - 4, 4],
  S: ['SixMonthly', 6, (n) => 6 * n - 5, 2],
  AprilS: ['SixMonthlyApril', 6, (n) => 6 * n - 2, 2],
  NovS: ['SixMonthlyNov', 6, (n) => 6 * n - 7, 2],
};

const span = (id: string, type: PeriodType, y: number, m: number, count: number): Period => ({
  id,
  type,
  ...monthSpan(y, m, count),
});

function week(year: string, prefix: string, n: number): Period | null {
  const biWeekly = prefix === 'BiW';
  const [type, weekday] = biWeekly ? (['BiWeekly', 1] as const) : WEEKLY[prefix]!;
  // BiWeekly n is ISO weeks 2n-1 and 2n; the first of them must belong to the year.
  const start = weekStart(Number(year), biWeekly ? 2 * n - 1 : n, weekday);
  if (!start) return null;
  return { id: `${year}${prefix}${n}`, type, start, end: addDays(start, biWeekly ? 13 : 6) };
}

function daily(year: string, month: string, day: string): Period | null {
  const [y, m, d] = [Number(year), Number(month), Number(day)];
  const start = utc(y, m, d);
  if (start.getUTCMonth() !== m - 1 || start.getUTCDate() !== d) return null;
  return { id: `${year}${month}${day}`, type: 'Daily', start, end: start };
}

/** The period an identifier names, or null when DHIS2 would refuse it (E7611). */
export function parsePeriod(id: string): Period | null {
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(id)) && (id.length === 8 || id.length === 10))
    return daily(m[1]!, m[2]!, m[3]!);
  if ((m = /^(\d{4})(W|WedW|ThuW|FriW|SatW|SunW|BiW)(\d\d?)$/.exec(id)))
    return week(m[1]!, m[2]!, Number(m[3]));
  if ((m = /^(\d{4})-?(\d{2})$/.exec(id))) {
    const month = Number(m[2]);
    if (month < 1 || month > 12) return null;
    return span(`${m[1]}${m[2]}`, 'Monthly', Number(m[1]), month, 1);
  }
  if ((m = /^(\d{4})(\d{2})B$/.exec(id))) {
    const n = Number(m[2]);
    if (n < 1 || n > 6) return null;
    return span(id, 'BiMonthly', Number(m[1]), 2 * n - 1, 2);
  }
  if ((m = /^(\d{4})(Q|NovQ|S|AprilS|NovS)(\d)$/.exec(id))) {
    const [type, months, first, count] = MONTHLY[m[2]!]!;
    const n = Number(m[3]);
    if (n < 1 || n > count) return null;
    return span(id, type, Number(m[1]), first(n), months);
  }
  if ((m = /^(\d{4})$/.exec(id))) return span(id, 'Yearly', Number(m[1]), 1, 12);
  if ((m = /^(\d{4})(Feb|April|July|Aug|Sep|Oct|Nov)$/.exec(id))) {
    const [type, month, offset] = FINANCIAL[m[2]!]!;
    return span(id, type, Number(m[1]) + offset, month, 12);
  }
  return null;
}

export const isValidPeriod = (id: string): boolean => parsePeriod(id) !== null;

/** The canonical id of `id`, or `id` itself when it is no period (lookups then find nothing). */
export const canonicalPeriod = (id: string): string => parsePeriod(id)?.id ?? id;
