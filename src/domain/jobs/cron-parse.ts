/**
 * DHIS2's cron syntax (issue 16 §10, contract §13): what Spring's `CronExpression.parse` accepts
 * (DHIS2 validates and schedules jobs with it), refused with Spring's reasons. Six fields
 * `second minute hour day-of-month month day-of-week`, separated by spaces, or one of the macros
 * `@yearly` `@annually` `@monthly` `@weekly` `@daily` `@midnight` `@hourly`. In each field:
 *
 * - a value, `*`, a range `a-b` (never wrapping: `10-2` is refused), a step `r/n` over a range or
 *   from a value to the field's end (`5/15` minutes = 5, 20, 35, 50), and lists of these `a,b`;
 * - month and day-of-week names (first three letters, any case), day-of-week 0 or 7 for Sunday
 *   (`SUN-MON` = `7-1` reads as 0–1; Spring's quirk: `7-7` is every day);
 * - `?` for a whole day-of-month or day-of-week field (= `*`);
 * - day-of-month `L`, `L-n`, `LW`, `nW`, day-of-week `dL` and `d#n`, alone or in lists.
 *
 * Spring's parse errors for numbers differ between Spring 5.3 (DHIS2 ≤ 2.41) and 6 (2.42+); the
 * reasons here use 5.3's `For input string: "x"`. Numbers take an optional sign, as Java's
 * `Integer.parseInt`, but only ASCII digits (Java also reads other Unicode digits).
 */

/** Ascending values of a plain field. */
export interface ValueSet {
  kind: 'values';
  values: readonly number[];
}

/** Day-of-month: values, `L` / `L-n` (offset 0 / -n), `LW`, or `nW`. */
export type DayOfMonthRule =
  | ValueSet
  | { kind: 'lastDay'; offset: number }
  | { kind: 'lastWeekday' }
  | { kind: 'nearestWeekday'; day: number };

/** Day-of-week (ISO, 1 = Monday … 7 = Sunday): values, `dL`, or `d#n`. */
export type DayOfWeekRule =
  | ValueSet
  | { kind: 'lastInMonth'; dayOfWeek: number }
  | { kind: 'nthInMonth'; dayOfWeek: number; ordinal: number };

export interface CronSchedule {
  /** The expression after macro expansion. */
  expression: string;
  second: ValueSet;
  minute: ValueSet;
  hour: ValueSet;
  /** Several rules (a list mixing `L`/`W` with values): the earliest match wins. */
  dayOfMonth: readonly DayOfMonthRule[];
  month: ValueSet;
  dayOfWeek: readonly DayOfWeekRule[];
}

export type CronParse = { ok: true; schedule: CronSchedule } | { ok: false; reason: string };

class CronSyntaxError extends Error {}
const fail = (message: string): never => {
  throw new CronSyntaxError(message);
};

type FieldName = 'second' | 'minute' | 'hour' | 'dayOfMonth' | 'month' | 'dayOfWeek';

/** java.time's name and range of each field, as in its "Invalid value" message. */
const FIELDS: Record<FieldName, { chrono: string; min: number; max: number; shown: string }> = {
  second: { chrono: 'SecondOfMinute', min: 0, max: 59, shown: '0 - 59' },
  minute: { chrono: 'MinuteOfHour', min: 0, max: 59, shown: '0 - 59' },
  hour: { chrono: 'HourOfDay', min: 0, max: 23, shown: '0 - 23' },
  dayOfMonth: { chrono: 'DayOfMonth', min: 1, max: 31, shown: '1 - 28/31' },
  month: { chrono: 'MonthOfYear', min: 1, max: 12, shown: '1 - 12' },
  dayOfWeek: { chrono: 'DayOfWeek', min: 1, max: 7, shown: '1 - 7' },
};

const MACROS = new Map([
  ['@yearly', '0 0 0 1 1 *'],
  ['@annually', '0 0 0 1 1 *'],
  ['@monthly', '0 0 0 1 * *'],
  ['@weekly', '0 0 0 * * 0'],
  ['@daily', '0 0 0 * * *'],
  ['@midnight', '0 0 0 * * *'],
  ['@hourly', '0 0 * * * *'],
]);

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

/** Java's `String.trim`: strips every character up to U+0020 at both ends. */
function javaTrim(s: string): string {
  let [start, end] = [0, s.length];
  while (start < end && s.charCodeAt(start) <= 0x20) start++;
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end--;
  return s.slice(start, end);
}

/** Java's `Integer.parseInt` (ASCII digits). */
function parseInt32(s: string): number {
  const n = /^[+-]?\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isInteger(n) || n > 2 ** 31 - 1 || n < -(2 ** 31)) fail(`For input string: "${s}"`);
  return n;
}

function checkValue(n: number, field: FieldName): number {
  const f = FIELDS[field];
  if (field === 'dayOfWeek' && n === 0) return n; // cron's Sunday
  if (n < f.min || n > f.max) fail(`Invalid value for ${f.chrono} (valid values ${f.shown}): ${n}`);
  return n;
}

function parseRange(s: string, field: FieldName): [number, number] {
  if (s === '*') return [FIELDS[field].min, FIELDS[field].max];
  const hyphen = s.indexOf('-');
  if (hyphen === -1) {
    const n = checkValue(parseInt32(s), field);
    return [n, n];
  }
  const [a, b] = [parseInt32(s.slice(0, hyphen)), parseInt32(s.slice(hyphen + 1))];
  let min = checkValue(a, field);
  const max = checkValue(b, field);
  // Sunday as the start of a range is 0, so SUN-MON is Sunday and Monday.
  if (field === 'dayOfWeek' && min === 7) min = 0;
  if (min > max) fail('Minimum value must be less than maximum value');
  return [min, max];
}

/** A plain field (Spring's BitsCronField): values, ranges and steps, comma-separated. */
function parseValues(value: string, field: FieldName): ValueSet {
  if (value === '') fail('Value must not be empty');
  if ((field === 'dayOfMonth' || field === 'dayOfWeek') && value === '?') value = '*';
  const set = new Set<number>();
  try {
    for (const part of value.split(',')) {
      const slash = part.indexOf('/');
      const rangeText = slash === -1 ? part : part.slice(0, slash);
      const [min, to] = parseRange(rangeText, field);
      // `5/15`: from 5 to the field's end.
      const max = slash !== -1 && !rangeText.includes('-') ? FIELDS[field].max : to;
      let step = 1;
      if (slash !== -1) {
        step = parseInt32(part.slice(slash + 1));
        if (step <= 0) fail('Incrementer delta must be 1 or higher');
      }
      for (let v = min; v <= max; v += step) set.add(v);
    }
  } catch (e) {
    if (e instanceof CronSyntaxError) fail(`${e.message} '${value}'`);
    throw e;
  }
  if (field === 'dayOfWeek' && set.delete(0)) set.add(7);
  return { kind: 'values', values: [...set].sort((a, b) => a - b) };
}

function parseDayOfMonthRule(v: string): DayOfMonthRule {
  if (!v.includes('L') && !v.includes('W')) return parseValues(v, 'dayOfMonth');
  const l = v.lastIndexOf('L');
  if (l !== -1) {
    if (l !== 0) fail(`Unrecognized characters before 'L' in '${v}'`);
    if (v === 'LW') return { kind: 'lastWeekday' };
    if (v === 'L') return { kind: 'lastDay', offset: 0 };
    const offset = parseInt32(v.slice(1));
    if (offset >= 0) fail(`Offset '${offset} should be < 0 '${v}'`);
    return { kind: 'lastDay', offset };
  }
  const w = v.lastIndexOf('W');
  if (w === 0) fail(`No day-of-month before 'W' in '${v}'`);
  if (w !== v.length - 1) fail(`Unrecognized characters after 'W' in '${v}'`);
  return { kind: 'nearestWeekday', day: checkValue(parseInt32(v.slice(0, w)), 'dayOfMonth') };
}

function parseWeekday(s: string): number {
  const n = parseInt32(s);
  const day = n === 0 ? 7 : n;
  if (day < 1 || day > 7) fail(`Invalid value for DayOfWeek: ${day} '${s}'`);
  return day;
}

function parseDayOfWeekRule(v: string): DayOfWeekRule {
  if (!v.includes('L') && !v.includes('#')) return parseValues(v, 'dayOfWeek');
  const l = v.lastIndexOf('L');
  if (l !== -1) {
    if (l !== v.length - 1) fail(`Unrecognized characters after 'L' in '${v}'`);
    if (l === 0) fail(`No day-of-week before 'L' in '${v}'`);
    return { kind: 'lastInMonth', dayOfWeek: parseWeekday(v.slice(0, l)) };
  }
  const hash = v.lastIndexOf('#');
  if (hash === 0) fail(`No day-of-week before '#' in '${v}'`);
  if (hash === v.length - 1) fail(`No ordinal after '#' in '${v}'`);
  const dayOfWeek = parseWeekday(v.slice(0, hash));
  const ordinal = parseInt32(v.slice(hash + 1));
  if (ordinal <= 0) fail(`Ordinal '${ordinal}' in '${v}' must be positive number `);
  return { kind: 'nthInMonth', dayOfWeek, ordinal };
}

/** A day field: plain, or a list whose items may use L/W/# (Spring's CompositeCronField). */
function parseDays<R>(value: string, special: RegExp, rule: (item: string) => R): R[] {
  if (!special.test(value)) return [rule(value)];
  return value.split(',').map(rule);
}

const replaceNames = (value: string, names: string[]) =>
  names.reduce((v, name, i) => v.split(name).join(String(i + 1)), value.toUpperCase());

/** Parses an expression as Spring does; the reason is Spring's message. */
export function parseCron(input: string): CronParse {
  if (input === '') return { ok: false, reason: 'Expression must not be empty' };
  const trimmed = javaTrim(input);
  const expression = MACROS.get(trimmed.toLowerCase()) ?? trimmed;
  const parts = expression
    .split(' ')
    .map(javaTrim)
    .filter((p) => p !== '');
  if (parts.length !== 6)
    return {
      ok: false,
      reason: `Cron expression must consist of 6 fields (found ${parts.length} in "${expression}")`,
    };
  const [second, minute, hour, dayOfMonth, month, dayOfWeek] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  try {
    return {
      ok: true,
      schedule: {
        expression,
        second: parseValues(second, 'second'),
        minute: parseValues(minute, 'minute'),
        hour: parseValues(hour, 'hour'),
        dayOfMonth: parseDays(dayOfMonth, /[LW]/, parseDayOfMonthRule),
        month: parseValues(replaceNames(month, MONTHS), 'month'),
        dayOfWeek: parseDays(replaceNames(dayOfWeek, DAYS), /[L#]/, parseDayOfWeekRule),
      },
    };
  } catch (e) {
    if (e instanceof CronSyntaxError)
      return { ok: false, reason: `${e.message} in cron expression "${expression}"` };
    throw e;
  }
}
