/**
 * Dates as DHIS2 writes them in tracker and event payloads (issue 16 §1): `yyyy-MM-dd`, or a
 * date-time with 1–9 fraction digits and an optional offset (`Z`, `+0000`, `+00:00`). DHIS2
 * ≤ 2.41 writes tracker dates without an offset (`2024-01-15T00:00:00.000`, its server's wall
 * time); metasync reads those as UTC so that the stored instant does not depend on the time zone
 * metasync runs in. Calendar-invalid dates (`2024-02-30`) are refused, as DHIS2's parser does.
 */
const PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** The instant `text` names, as an ISO string in UTC; null when it is not a DHIS2 date. */
export function parseDhisDate(text: string): string | null {
  const m = PATTERN.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  const ms = Number((frac + '000').slice(0, 3));
  const local = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    ms,
  );
  const check = new Date(local);
  if (
    check.getUTCFullYear() !== Number(y) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  )
    return null;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const digits = zone.replace(':', '');
    const sign = digits.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || '0'));
  }
  return new Date(local - offsetMinutes * 60_000).toISOString();
}
