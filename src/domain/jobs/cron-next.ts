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
import type { CronSchedule, DayOfMonthRule, DayOfWeekRule, ValueSet } from './cron-parse.ts';
import {
  ZoneCalendar,
  type DateUnit,
  type LocalFields,
  type TimeUnit,
  type Zoned,
} from './cron-zone.ts';

/** Spring's bound on every search loop (`CronExpression.MAX_ATTEMPTS`). */
const MAX_ATTEMPTS = 366;

type Field = 'ms' | 'second' | 'minute' | 'hour' | 'day' | 'month' | 'dayOfWeek';
type Unit = TimeUnit | DateUnit;

/** Per field: its value, its range, the unit it moves by, the next larger unit, what is below. */
const FIELD: Record<
  Field,
  {
    get: (f: LocalFields) => number;
    min: number;
    max: (f: LocalFields) => number;
    unit: Unit;
    up: Unit;
    below: Field[];
  }
> = {
  ms: { get: (f) => f.ms, min: 0, max: () => 999, unit: 'ms', up: 'seconds', below: [] },
  second: {
    get: (f) => f.second,
    min: 0,
    max: () => 59,
    unit: 'seconds',
    up: 'minutes',
    below: ['ms'],
  },
  minute: {
    get: (f) => f.minute,
    min: 0,
    max: () => 59,
    unit: 'minutes',
    up: 'hours',
    below: ['second', 'ms'],
  },
  hour: {
    get: (f) => f.hour,
    min: 0,
    max: () => 23,
    unit: 'hours',
    up: 'days',
    below: ['minute', 'second', 'ms'],
  },
  day: {
    get: (f) => f.day,
    min: 1,
    max: (f) => f.monthLength,
    unit: 'days',
    up: 'months',
    below: ['hour', 'minute', 'second', 'ms'],
  },
  month: {
    get: (f) => f.month,
    min: 1,
    max: () => 12,
    unit: 'months',
    up: 'years',
    below: ['day', 'hour', 'minute', 'second', 'ms'],
  },
  dayOfWeek: {
    get: (f) => f.dayOfWeek,
    min: 1,
    max: () => 7,
    unit: 'days',
    up: 'weeks',
    below: ['hour', 'minute', 'second', 'ms'],
  },
};

const TIME_UNITS: ReadonlySet<Unit> = new Set(['ms', 'seconds', 'minutes', 'hours']);

const calendars = new Map<string, ZoneCalendar>();
const calendarOf = (zone: string) => {
  let cal = calendars.get(zone);
  if (!cal) calendars.set(zone, (cal = new ZoneCalendar(zone)));
  return cal;
};

/** One search over one zone: java.time-like moves of a zoned date-time. */
class Search {
  constructor(private readonly cal: ZoneCalendar) {}

  value(z: Zoned, field: Field): number {
    return FIELD[field].get(this.cal.fields(z));
  }

  add(z: Zoned, amount: number, unit: Unit): Zoned {
    return TIME_UNITS.has(unit)
      ? this.cal.plusTime(z, amount, unit as TimeUnit)
      : this.cal.plusDate(z, amount, unit as DateUnit);
  }

  /** `with(field, v)`; a day of week moves by days. */
  set(z: Zoned, field: Field, v: number): Zoned {
    if (field === 'dayOfWeek') return this.add(z, v - this.value(z, field), 'days');
    return this.cal.with(z, { [field]: v });
  }

  /** Moves forward until `field` is `goal` (or past it, when the month has no such day). */
  elapseUntil(z: Zoned, field: Field, goal: number): Zoned {
    const spec = FIELD[field];
    const f = this.cal.fields(z);
    const [current, max] = [spec.get(f), spec.max(f)];
    if (current < goal)
      return goal <= max ? this.set(z, field, goal) : this.add(z, max - current + 1, spec.unit);
    return this.add(z, goal + max - current + 1 - spec.min, spec.unit);
  }

  /** To the start of the next larger unit (next minute for seconds, next month for days …). */
  rollForward(z: Zoned, field: Field): Zoned {
    return this.set(this.add(z, 1, FIELD[field].up), field, FIELD[field].min);
  }

  /** Every field below `field` to its minimum, one after the other. */
  reset(z: Zoned, field: Field): Zoned {
    return FIELD[field].below.reduce((t, lower) => this.set(t, lower, FIELD[lower].min), z);
  }

  /** The earliest time at or after `z` whose `field` is one of `values`. */
  values(z: Zoned, field: Field, { values }: ValueSet): Zoned | null {
    const from = (v: number) => values.find((x) => x >= v) ?? -1;
    let current = this.value(z, field);
    let next = from(current);
    if (next === -1) {
      z = this.rollForward(z, field);
      next = values[0]!;
    }
    if (next === current) return z;
    let count = 0;
    current = this.value(z, field);
    while (current !== next && count++ < MAX_ATTEMPTS) {
      z = this.elapseUntil(z, field, next);
      current = this.value(z, field);
      next = from(current);
      if (next === -1) {
        z = this.rollForward(z, field);
        next = values[0]!;
      }
    }
    return count >= MAX_ATTEMPTS ? null : this.reset(z, field);
  }

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
      (t) => (this.value(t, 'ms') === 0 ? t : this.cal.at(t.instant - (t.instant % 1000) + 1000)),
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
