/**
 * Date-time arithmetic in one time zone, the way java.time's `ZonedDateTime` does it, for the
 * Spring cron search (issue 16 §10; cron-next.ts). Spring steps through a schedule with
 * `ZonedDateTime.with(field, value)` and `plus(amount, unit)`, and DHIS2 evaluates in the
 * server's zone, so the times around a DST change depend on java.time's rules, which this
 * reproduces:
 *
 * - time units (ms, seconds, minutes, hours) move the instant;
 * - setting a field and adding days, weeks, months or years work on the local date-time, which
 *   is then placed in the zone keeping the current offset when it is valid there (a repeated
 *   hour), taking the earlier offset otherwise, and moving a time in a gap forward by the gap's
 *   length (`ZonedDateTime.ofLocal`);
 * - months and years clamp the day to the month's last day (`LocalDate.plusMonths`).
 *
 * Pure: offsets come from the ICU time zone data behind `Intl`, no clock is read.
 */

const DAY = 86_400_000;

/** An instant and the zone offset it is seen with (both ms); `local` = instant + offset. */
export interface Zoned {
  readonly instant: number;
  readonly offset: number;
}

export type TimeUnit = 'ms' | 'seconds' | 'minutes' | 'hours';
export type DateUnit = 'days' | 'weeks' | 'months' | 'years';

const UNIT_MS: Record<TimeUnit, number> = {
  ms: 1,
  seconds: 1000,
  minutes: 60_000,
  hours: 3_600_000,
};

/** Local date-time fields of a zoned time (month 1–12, ISO day of week 1 = Monday … 7). */
export interface LocalFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  dayOfWeek: number;
  monthLength: number;
}

const monthLength = (year: number, month: number) =>
  new Date(Date.UTC(year, month, 0)).getUTCDate();

/** The local time `local` (ms on a UTC-based axis) with its fields replaced. */
function setLocal(local: number, f: Partial<LocalFields>): number {
  const d = new Date(local);
  if (f.year !== undefined || f.month !== undefined) {
    const year = f.year ?? d.getUTCFullYear();
    const month = f.month ?? d.getUTCMonth() + 1;
    d.setUTCFullYear(year, month - 1, Math.min(f.day ?? d.getUTCDate(), monthLength(year, month)));
  } else if (f.day !== undefined) d.setUTCDate(f.day);
  d.setUTCHours(
    f.hour ?? d.getUTCHours(),
    f.minute ?? d.getUTCMinutes(),
    f.second ?? d.getUTCSeconds(),
    f.ms ?? d.getUTCMilliseconds(),
  );
  return d.getTime();
}

export class ZoneCalendar {
  private readonly format: Intl.DateTimeFormat | null;

  /** Throws RangeError for a zone `Intl` does not know. */
  constructor(readonly zone: string) {
    const fixed = /^(UTC|Etc\/UTC|GMT|Etc\/GMT)$/i.test(zone);
    this.format = fixed
      ? null
      : new Intl.DateTimeFormat('en-US', {
          timeZone: zone,
          hourCycle: 'h23',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
          second: 'numeric',
        });
  }

  /** Offsets already looked up, by whole second (a search asks for the same ones often). */
  private readonly known = new Map<number, number>();

  /** The zone's offset (ms) at an instant. */
  offsetAt(instant: number): number {
    if (!this.format) return 0;
    const whole = Math.floor(instant / 1000) * 1000;
    const hit = this.known.get(whole);
    if (hit !== undefined) return hit;
    if (this.known.size > 10_000) this.known.clear();
    const p: Record<string, number> = {};
    for (const part of this.format.formatToParts(whole))
      if (part.type !== 'literal') p[part.type] = Number(part.value);
    const local = new Date(0);
    local.setUTCFullYear(p.year!, p.month! - 1, p.day!);
    local.setUTCHours(p.hour!, p.minute!, p.second!, 0);
    const offset = local.getTime() - whole;
    this.known.set(whole, offset);
    return offset;
  }

  at(instant: number): Zoned {
    return { instant, offset: this.offsetAt(instant) };
  }

  /** A local date-time placed in the zone as `ZonedDateTime.ofLocal(local, zone, preferred)`. */
  ofLocal(local: number, preferred: number): Zoned {
    if (this.offsetAt(local - preferred) === preferred)
      return { instant: local - preferred, offset: preferred };
    // Offsets a day either side bracket any single transition near this local time.
    const before = this.offsetAt(local - DAY);
    const after = this.offsetAt(local + DAY);
    const valid = [...new Set([before, after])].filter((o) => this.offsetAt(local - o) === o);
    if (valid.length === 0) {
      // In a gap: later by the gap's length, i.e. the instant the old offset names.
      return this.at(local - before);
    }
    const offset = valid.includes(preferred) ? preferred : valid[0]!;
    return { instant: local - offset, offset };
  }

  fields(z: Zoned): LocalFields {
    const d = new Date(z.instant + z.offset);
    const [year, month] = [d.getUTCFullYear(), d.getUTCMonth() + 1];
    return {
      year,
      month,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      ms: d.getUTCMilliseconds(),
      dayOfWeek: d.getUTCDay() || 7,
      monthLength: monthLength(year, month),
    };
  }

  /** `with(field, value)` for local fields; a month change clamps the day (`withMonth`). */
  with(z: Zoned, f: Partial<LocalFields>): Zoned {
    return this.ofLocal(setLocal(z.instant + z.offset, f), z.offset);
  }

  plusTime(z: Zoned, amount: number, unit: TimeUnit): Zoned {
    return this.at(z.instant + amount * UNIT_MS[unit]);
  }

  plusDate(z: Zoned, amount: number, unit: DateUnit): Zoned {
    const local = z.instant + z.offset;
    if (unit === 'days' || unit === 'weeks')
      return this.ofLocal(local + amount * (unit === 'weeks' ? 7 : 1) * DAY, z.offset);
    const { year, month } = this.fields(z);
    const months = year * 12 + (month - 1) + amount * (unit === 'years' ? 12 : 1);
    const month0 = ((months % 12) + 12) % 12;
    return this.with(z, { year: (months - month0) / 12, month: month0 + 1 });
  }
}
