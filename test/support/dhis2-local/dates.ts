/**
 * How a DHIS2 local reads a date from its central's JSON (issue 16 §12): Jackson calls DHIS2's
 * `ParseDateStdDeserializer`, which tries `DateUtils.parseDate` (Joda-Time, one parser per
 * supported pattern) and falls back to epoch milliseconds for long digit strings; JSON integers
 * are epoch milliseconds. The emulated server runs in UTC, so a date without an offset is UTC.
 *
 * Joda details kept: a string is taken when one pattern parses all of it (the first such pattern
 * decides what it means); `yyyy` reads up to nine digits with an optional sign; `MM`, `dd`, `HH`,
 * `mm`, `ss` read one or two digits; `SSS…` reads one to nine digits (milliseconds truncated);
 * `Z` is `Z`/`z` or `±HH[[:]MM]`; literals such as `T` match either case; fields out of range
 * (month 13, 30 February, hour 24) fail. `yyyyMMdd` is tried first from 2.40 on.
 */
import { JacksonError } from './java-errors.ts';
import type { Release } from './releases.ts';

const Y = '([+-]?\\d{1,9})';
const N2 = '(\\d{1,2})';
const ZONE = '([Zz]|[+-]\\d{2}(?::?\\d{2})?)';

interface Pattern {
  re: RegExp;
  /** Names of the capture groups in order. */
  fields: ('y' | 'M' | 'd' | 'H' | 'm' | 's' | 'S' | 'Z')[];
}

const COMPACT: Pattern = { re: /^(\d{4})(\d{2})(\d{1,2})$/, fields: ['y', 'M', 'd'] };
const PATTERNS: Pattern[] = [
  { re: new RegExp(`^${Y}-${N2}-${N2}$`), fields: ['y', 'M', 'd'] },
  { re: new RegExp(`^${Y}-${N2}$`), fields: ['y', 'M'] },
  { re: new RegExp(`^${Y}$`), fields: ['y'] },
  {
    re: new RegExp(`^${Y}-${N2}-${N2}[Tt]${N2}(?::${N2}(?::${N2}(?:\\.(\\d{1,9}))?)?)?${ZONE}?$`),
    fields: ['y', 'M', 'd', 'H', 'm', 's', 'S', 'Z'],
  },
  {
    re: new RegExp(`^${Y}-${N2}-${N2} ${N2}:${N2}:${N2}${ZONE}$`),
    fields: ['y', 'M', 'd', 'H', 'm', 's', 'Z'],
  },
];

const leap = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysIn = (y: number, m: number) => (m === 2 && leap(y) ? 29 : MONTH_DAYS[m - 1]!);

function offsetMinutes(zone: string | undefined): number {
  if (!zone || zone === 'Z' || zone === 'z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
  return zone.startsWith('-') ? -minutes : minutes;
}

/** `DateUtils.parseDate`: a Date, null for an empty string; throws where Joda would. */
export function parseDateUtils(text: string, rel: Release): Date | null {
  if (text === '') return null;
  const patterns = rel.compactDateParser ? [COMPACT, ...PATTERNS] : PATTERNS;
  for (const p of patterns) {
    const m = p.re.exec(text);
    if (!m) continue;
    const f = Object.fromEntries(p.fields.map((name, i) => [name, m[i + 1]]));
    const [y, M, d] = [Number(f.y), Number(f.M ?? 1), Number(f.d ?? 1)];
    const [H, min, s] = [Number(f.H ?? 0), Number(f.m ?? 0), Number(f.s ?? 0)];
    const ms = Number((f.S ?? '0').padEnd(3, '0').slice(0, 3));
    if (M < 1 || M > 12 || d < 1 || d > daysIn(y, M) || H > 23 || min > 59 || s > 59)
      throw new Error(`Cannot parse "${text}": Value out of range (IllegalFieldValueException)`);
    const date = new Date(0);
    date.setUTCFullYear(y, M - 1, d);
    date.setUTCHours(H, min, s, ms);
    return new Date(date.getTime() - offsetMinutes(f.Z) * 60_000);
  }
  throw new Error(`Invalid format: "${text}"`);
}

const invalid = (shown: string | null) =>
  new JacksonError(
    `Invalid date format '${String(shown)}', only ISO format or UNIX Epoch timestamp is supported.`,
  );

/** `ParseDateStdDeserializer` on a JSON value (JSON null never reaches it: null). */
export function parseJsonDate(value: unknown, rel: Release): Date | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    try {
      return parseDateUtils(value, rel);
    } catch {
      if (/^[0-9]+$/.test(value) && value.length > 12) return new Date(Number(value));
      throw invalid(value);
    }
  }
  if (typeof value === 'number' && Number.isInteger(value)) return new Date(value);
  // Jackson's getValueAsString: the text of other scalars, null for objects and arrays.
  throw invalid(typeof value === 'object' ? null : String(value));
}
