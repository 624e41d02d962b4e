/**
 * The moves Spring's cron search makes on one field (issue 16 §10; Spring's `CronField.Type` and
 * `BitsCronField`): read the field, step it to a value, roll over to the next larger unit, and
 * reset the smaller ones, on a zoned date-time with java.time's arithmetic (cron-zone.ts).
 */
import type { ValueSet } from './cron-parse.ts';
import { ZoneCalendar, type DateUnit, type TimeUnit, type Zoned } from './cron-zone.ts';

/** Spring's bound on every search loop (`CronExpression.MAX_ATTEMPTS`). */
export const MAX_ATTEMPTS = 366;

export type Field = 'ms' | 'second' | 'minute' | 'hour' | 'day' | 'month' | 'dayOfWeek';
type Unit = TimeUnit | DateUnit;

/** Per field: range (a day's maximum is its month's length), unit it moves by, next larger unit. */
const FIELD: Record<Field, { min: number; max: number | null; unit: Unit; up: Unit }> = {
  ms: { min: 0, max: 999, unit: 'ms', up: 'seconds' },
  second: { min: 0, max: 59, unit: 'seconds', up: 'minutes' },
  minute: { min: 0, max: 59, unit: 'minutes', up: 'hours' },
  hour: { min: 0, max: 23, unit: 'hours', up: 'days' },
  day: { min: 1, max: null, unit: 'days', up: 'months' },
  month: { min: 1, max: 12, unit: 'months', up: 'years' },
  dayOfWeek: { min: 1, max: 7, unit: 'days', up: 'weeks' },
};

const ORDER: Field[] = ['ms', 'second', 'minute', 'hour', 'day', 'month'];

/** The fields below `field`, nearest first (the ones Spring resets after moving it). */
const below = (field: Field): Field[] =>
  ORDER.slice(0, ORDER.indexOf(field === 'dayOfWeek' ? 'day' : field)).reverse();

const TIME_UNITS: ReadonlySet<Unit> = new Set(['ms', 'seconds', 'minutes', 'hours']);

export class FieldMoves {
  constructor(protected readonly cal: ZoneCalendar) {}

  value(z: Zoned, field: Field): number {
    return this.cal.fields(z)[field];
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
    const { min, unit } = FIELD[field];
    const f = this.cal.fields(z);
    const [current, max] = [f[field], FIELD[field].max ?? f.monthLength];
    if (current < goal)
      return goal <= max ? this.set(z, field, goal) : this.add(z, max - current + 1, unit);
    return this.add(z, goal + max - current + 1 - min, unit);
  }

  /** To the start of the next larger unit (next minute for seconds, next month for days …). */
  rollForward(z: Zoned, field: Field): Zoned {
    return this.set(this.add(z, 1, FIELD[field].up), field, FIELD[field].min);
  }

  /** Every field below `field` to its minimum, one after the other. */
  reset(z: Zoned, field: Field): Zoned {
    return below(field).reduce((t, lower) => this.set(t, lower, FIELD[lower].min), z);
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
}
