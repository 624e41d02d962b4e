/**
 * The next execution of a Spring cron schedule (issue 16 §10): the instant DHIS2's
 * `CronTrigger.nextExecution` gives, i.e. Spring's `CronExpression.next` evaluated in the
 * server's zone. Spring does not test candidate times one by one; it moves a zoned date-time
 * field by field (day of week, month, day of month, hour, minute, second, sub-second), each
 * field to its next allowed value, and repeats until a pass changes nothing. The outcome at DST
 * changes, month ends and impossible dates follows from those moves (an hour skipped by a DST
 * gap does not run that day; one repeated runs twice; `0 0 0 31 * *` runs in long months only),
 * so they are made the same way here, over java.time's arithmetic (cron-zone.ts).
 *
 * Spring 5.3 (DHIS2 ≤ 2.41) and 6 differ in one place: `d#n` in a month without an n-th such
 * day; 5.3 runs on a day of the following month, 6 skips the month. This follows 6.
 */
import { FieldMoves, MAX_ATTEMPTS, type Field } from './cron-fields.ts';
import type { CronSchedule, DayOfMonthRule, DayOfWeekRule, ValueSet } from './cron-parse.ts';
import { ZoneCalendar, type Zoned } from './cron-zone.ts';

const calendars = new Map<string, ZoneCalendar>();
const calendarOf = (zone: string) => {
  let cal = calendars.get(zone);
  if (!cal) calendars.set(zone, (cal = new ZoneCalendar(zone)));
  return cal;
};

/** The search: field moves plus Spring's day rules (`QuartzCronField`, `CompositeCronField`). */
class Search extends FieldMoves {
  /** The same day keeps the time; another day starts at midnight. */
  private rollback(current: Zoned, result: Zoned): Zoned {
    if (this.value(result, 'day') === this.value(current, 'day')) return current;
    return this.cal.with(result, { hour: 0, minute: 0, second: 0, ms: 0 });
  }

  private lastOfMonth(z: Zoned): Zoned {
    return this.set(z, 'day', this.cal.fields(z).monthLength);
  }

  /** The day an `L`/`W`/`#` rule picks in the month of `z` (possibly before `z`), or null. */
  private adjust(z: Zoned, rule: Exclude<DayOfMonthRule | DayOfWeekRule, ValueSet>): Zoned | null {
    switch (rule.kind) {
      case 'lastDay':
        return this.rollback(z, this.add(this.lastOfMonth(z), rule.offset, 'days'));
      case 'lastWeekday': {
        const last = this.lastOfMonth(z);
        const dow = this.value(last, 'dayOfWeek');
        return this.rollback(z, dow >= 6 ? this.add(last, 5 - dow, 'days') : last);
      }
      case 'nearestWeekday':
        return this.nearestWeekday(z, rule.day);
      case 'lastInMonth': {
        const last = this.lastOfMonth(z);
        const diff = rule.dayOfWeek - this.value(last, 'dayOfWeek');
        return this.rollback(z, this.add(last, diff > 0 ? diff - 7 : diff, 'days'));
      }
      case 'nthInMonth':
        // A month without that many: try the following months (Spring 6).
        for (let i = 0; i < 12; i++) {
          const first = this.set(z, 'day', 1);
          const shift = (rule.dayOfWeek - this.value(first, 'dayOfWeek') + 7) % 7;
          const result = this.add(first, shift + (rule.ordinal - 1) * 7, 'days');
          if (this.value(result, 'month') === this.value(z, 'month'))
            return this.rollback(z, result);
          z = result;
        }
        return null;
    }
  }

  /** `nW`: the weekday nearest to day n, within its month (a Saturday 1st gives Monday 3rd). */
  private nearestWeekday(z: Zoned, day: number): Zoned | null {
    const weekday = (d: number) => d <= 5;
    let current = this.value(z, 'day');
    const dow = this.value(z, 'dayOfWeek');
    if (
      (current === day && weekday(dow)) ||
      (dow === 5 && current === day - 1) ||
      (dow === 1 && current === day + 1) ||
      (dow === 1 && day === 1 && current === 3)
    )
      return z;
    for (let count = 0; count < MAX_ATTEMPTS; count++) {
      if (current === day) {
        const d = this.value(z, 'dayOfWeek');
        if (d === 6) z = this.add(z, day === 1 ? 2 : -1, 'days');
        else if (d === 7) z = this.add(z, 1, 'days');
        return this.cal.with(z, { hour: 0, minute: 0, second: 0, ms: 0 });
      }
      z = this.elapseUntil(z, 'day', day);
      current = this.value(z, 'day');
    }
    return null;
  }

  /** One day rule at or after `z`: values as any field, the others by their day. */
  private rule(z: Zoned, field: Field, rule: DayOfMonthRule | DayOfWeekRule): Zoned | null {
    if (rule.kind === 'values') return this.values(z, field, rule);
    let result = this.adjust(z, rule);
    if (result && result.instant < z.instant) {
      // Before the start: the same rule in the next month.
      result = this.adjust(this.rollForward(z, 'day'), rule);
      if (result) result = this.reset(result, field);
    }
    return result;
  }

  /** Several rules: the earliest of their results. */
  days(z: Zoned, field: Field, rules: readonly (DayOfMonthRule | DayOfWeekRule)[]): Zoned | null {
    let best: Zoned | null = null;
    for (const r of rules) {
      const candidate = this.rule(z, field, r);
      if (candidate && (!best || candidate.instant < best.instant)) best = candidate;
    }
    return best;
  }

  /** One pass over every field, largest first. */
  pass(s: CronSchedule, z: Zoned): Zoned | null {
    const steps: ((t: Zoned) => Zoned | null)[] = [
      (t) => this.days(t, 'dayOfWeek', s.dayOfWeek),
      (t) => this.values(t, 'month', s.month),
      (t) => this.days(t, 'day', s.dayOfMonth),
      (t) => this.values(t, 'hour', s.hour),
      (t) => this.values(t, 'minute', s.minute),
      (t) => this.values(t, 'second', s.second),
      // Whole seconds only.
      (t) =>
        this.value(t, 'ms') === 0 ? t : this.cal.at(Math.floor(t.instant / 1000) * 1000 + 1000),
    ];
    let t: Zoned | null = z;
    for (const step of steps) if (!(t = step(t))) return null;
    return t;
  }
}

/**
 * The first time strictly after `after` that `schedule` matches in `zone` (an IANA name; the
 * server's zone, as DHIS2), or null when it never matches again. Throws RangeError for an
 * unknown zone.
 */
export function nextExecution(schedule: CronSchedule, after: Date, zone: string): Date | null {
  const cal = calendarOf(zone);
  const search = new Search(cal);
  // Spring adds a nanosecond; a millisecond is the same here (sub-seconds round up anyway).
  let z = cal.at(after.getTime() + 1);
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    const result = search.pass(schedule, z);
    if (!result || result.instant === z.instant) return result && new Date(result.instant);
    z = result;
  }
  return null;
}
