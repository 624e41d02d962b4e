/**
 * Calendar arithmetic for DHIS2 periods (issue 16 §3): UTC midnights, month spans and weeks.
 * Pure: no clock.
 *
 * Weeks follow java.time's `WeekFields.of(firstDayOfWeek, 4)`, which DHIS2 uses both to read a
 * week id (`DateUnitPeriodTypeParser.getDateTimeFromWeek`) and to name a week
 * (`WeeklyAbstractPeriodType.getIsoDate`): week 1 of year y is the week, starting on the type's
 * first weekday, that contains 4 January; a week belongs to the year its fourth day falls in, so
 * a year has 52 or 53 weeks of each kind.
 */

const DAY = 86_400_000;

/** UTC midnight of y-m-d; months and days may overflow (month 13 = January of y+1). */
export function utc(y: number, m: number, d: number): Date {
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, keeps years 0–99 as they are.
  date.setUTCFullYear(y, m - 1, d);
  return date;
}

export const addDays = (d: Date, n: number): Date => new Date(d.getTime() + n * DAY);

/** First and last day of `count` months from month `m` of year `y` (m may overflow). */
export function monthSpan(y: number, m: number, count: number): { start: Date; end: Date } {
  return { start: utc(y, m, 1), end: addDays(utc(y, m + count, 1), -1) };
}

/** First day of week 1 of `year`, weeks starting on `weekday` (0 = Sunday … 6 = Saturday). */
function firstWeekStart(year: number, weekday: number): Date {
  const jan4 = utc(year, 1, 4);
  return addDays(jan4, -((jan4.getUTCDay() - weekday + 7) % 7));
}

/**
 * First day of week `n` of `year` (weeks starting on `weekday`), or null when the year has no
 * such week. DHIS2 ≥ 2.40.11/2.41.8/2.42.4 refuses such ids too (the "overflow" check in
 * `DateUnitPeriodTypeParser`); older releases read `2021W53` as 2022W1, which metasync does not.
 */
export function weekStart(year: number, n: number, weekday: number): Date | null {
  if (n < 1) return null;
  const start = addDays(firstWeekStart(year, weekday), 7 * (n - 1));
  return addDays(start, 3).getUTCFullYear() === year ? start : null;
}
