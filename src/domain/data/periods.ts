/**
 * DHIS2 ISO period identifiers (issue 7 §1): parsing, validation and the date range a period
 * covers (for `startDate`/`endDate` exports). Pure: no clock, dates are UTC midnights.
 *
 * Weeks follow DHIS2's calendar rule (minimal days in first week = 4): week 1 of year y is the
 * week, starting on the period type's first weekday, that contains 4 January; a week belongs to
 * the year its fourth day falls in. BiWeekly n is weeks 2n-1 and 2n.
 */

export type PeriodType =
  | 'Daily'
  | 'Weekly'
  | 'WeeklyWednesday'
  | 'WeeklyThursday'
  | 'WeeklySaturday'
  | 'WeeklySunday'
  | 'BiWeekly'
  | 'Monthly'
  | 'BiMonthly'
  | 'Quarterly'
  | 'SixMonthly'
  | 'SixMonthlyApril'
  | 'SixMonthlyNov'
  | 'Yearly'
  | 'FinancialApril'
  | 'FinancialJuly'
  | 'FinancialSep'
  | 'FinancialOct'
  | 'FinancialNov';

export interface Period {
  id: string;
  type: PeriodType;
  /** First day (UTC midnight). */
  start: Date;
  /** Last day (UTC midnight). */
  end: Date;
}

const DAY = 86_400_000;
const utc = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));
const addDays = (d: Date, n: number) => new Date(d.getTime() + n * DAY);
const addMonths = (y: number, m: number, n: number) => utc(y, m + n, 1);
const lastDayBefore = (d: Date) => addDays(d, -1);

/** Start of week 1 of `year` for weeks starting on `weekday` (0 = Sunday … 6 = Saturday). */
function firstWeekStart(year: number, weekday: number): Date {
  const jan4 = utc(year, 1, 4);
  return addDays(jan4, -((jan4.getUTCDay() - weekday + 7) % 7));
}

function week(id: string, type: PeriodType, year: number, n: number, weekday: number, span = 1) {
  if (n < 1) return null;
  const start = addDays(firstWeekStart(year, weekday), 7 * span * (n - 1));
  // The week (or the first week of a bi-week) must belong to `year`.
  if (addDays(start, 3).getUTCFullYear() !== year) return null;
  return { id, type, start, end: addDays(start, 7 * span - 1) };
}

const WEEKLY: Record<string, [PeriodType, number]> = {
  W: ['Weekly', 1],
  WedW: ['WeeklyWednesday', 3],
  ThuW: ['WeeklyThursday', 4],
  SatW: ['WeeklySaturday', 6],
  SunW: ['WeeklySunday', 0],
};

const FINANCIAL: Record<string, [PeriodType, number]> = {
  April: ['FinancialApril', 4],
  July: ['FinancialJuly', 7],
  Sep: ['FinancialSep', 9],
  Oct: ['FinancialOct', 10],
  Nov: ['FinancialNov', 11],
};

function months(id: string, type: PeriodType, y: number, m: number, count: number): Period {
  return { id, type, start: utc(y, m, 1), end: lastDayBefore(addMonths(y, m, count)) };
}

/** The period an identifier names, or null when it is not a valid DHIS2 ISO period. */
export function parsePeriod(id: string): Period | null {
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})(\d{2})(\d{2})$/.exec(id))) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const start = utc(y, mo, d);
    if (start.getUTCMonth() !== mo - 1 || start.getUTCDate() !== d) return null;
    return { id, type: 'Daily', start, end: start };
  }
  if ((m = /^(\d{4})(W|WedW|ThuW|SatW|SunW)([1-9]\d?)$/.exec(id))) {
    const [type, weekday] = WEEKLY[m[2]!]!;
    return week(id, type, Number(m[1]), Number(m[3]), weekday);
  }
  if ((m = /^(\d{4})BiW([1-9]\d?)$/.exec(id))) {
    return week(id, 'BiWeekly', Number(m[1]), Number(m[2]), 1, 2);
  }
  if ((m = /^(\d{4})(0[1-9]|1[0-2])$/.exec(id)))
    return months(id, 'Monthly', Number(m[1]), Number(m[2]), 1);
  if ((m = /^(\d{4})0([1-6])B$/.exec(id)))
    return months(id, 'BiMonthly', Number(m[1]), 2 * Number(m[2]) - 1, 2);
  if ((m = /^(\d{4})Q([1-4])$/.exec(id)))
    return months(id, 'Quarterly', Number(m[1]), 3 * Number(m[2]) - 2, 3);
  if ((m = /^(\d{4})S([12])$/.exec(id)))
    return months(id, 'SixMonthly', Number(m[1]), 6 * Number(m[2]) - 5, 6);
  if ((m = /^(\d{4})AprilS([12])$/.exec(id)))
    return months(id, 'SixMonthlyApril', Number(m[1]), 6 * Number(m[2]) - 2, 6);
  if ((m = /^(\d{4})NovS([12])$/.exec(id))) {
    // 2020NovS1 is November 2019 – April 2020 (DHIS2's SixMonthlyNov starts in the year before).
    return months(id, 'SixMonthlyNov', Number(m[1]) - 1, 6 * Number(m[2]) + 5, 6);
  }
  if ((m = /^(\d{4})$/.exec(id))) return months(id, 'Yearly', Number(m[1]), 1, 12);
  if ((m = /^(\d{4})(April|July|Sep|Oct|Nov)$/.exec(id))) {
    const [type, month] = FINANCIAL[m[2]!]!;
    return months(id, type, Number(m[1]), month, 12);
  }
  return null;
}

export const isValidPeriod = (id: string): boolean => parsePeriod(id) !== null;
