/**
 * DHIS2 cron presets (contract §13): the expressions the settings screen and DHIS2's Scheduler
 * app write. Parsing and next execution times are Spring's (cron-parse.ts, cron-next.ts).
 */

/** The frequencies of the settings screen's sync schedule (issue 8 §1). */
export type Frequency = 'HOURLY' | 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';
export const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

export interface Preset {
  frequency: Frequency;
  /** Time of day `HH:MM` (24 h, server time zone); for HOURLY only the minutes count. */
  time: string;
  /** WEEKLY: which day (default MON, as the Scheduler app's "Every week"). */
  dayOfWeek?: Weekday;
  /** MONTHLY / YEARLY: day of the month, 1–28 so that every month has it (default 1). */
  dayOfMonth?: number;
  /** YEARLY: month 1–12 (default 1). */
  month?: number;
}

/**
 * A preset as DHIS2's Scheduler app writes it (`0 0 3 ? * *` = every day at 3 am,
 * `0 0 3 ? * MON` = every week); monthly and yearly follow the legacy Data Administration UI
 * (contract §13) with `?` in day-of-week. Throws on a value out of range (a programming or input
 * error the caller reports as 400).
 */
export function presetToCron(p: Preset): string {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(p.time);
  if (!m) throw new RangeError(`time must be HH:MM (00:00–23:59), got "${p.time}"`);
  const [hour, minute] = [Number(m[1]), Number(m[2])];
  const day = p.dayOfMonth ?? 1;
  if (!Number.isInteger(day) || day < 1 || day > 28)
    throw new RangeError(`dayOfMonth must be 1–28, got ${day}`);
  const month = p.month ?? 1;
  if (!Number.isInteger(month) || month < 1 || month > 12)
    throw new RangeError(`month must be 1–12, got ${month}`);
  switch (p.frequency) {
    case 'HOURLY':
      return `0 ${minute} * ? * *`;
    case 'DAILY':
      return `0 ${minute} ${hour} ? * *`;
    case 'WEEKLY':
      return `0 ${minute} ${hour} ? * ${p.dayOfWeek ?? 'MON'}`;
    case 'MONTHLY':
      return `0 ${minute} ${hour} ${day} * ?`;
    case 'YEARLY':
      return `0 ${minute} ${hour} ${day} ${MONTHS[month - 1]!} ?`;
  }
}

/** The Scheduler app's ready-made choices (`CronPresetModal`, contract §13). */
export const SCHEDULER_APP_PRESETS: Readonly<Record<string, string>> = {
  'Every hour': '0 0 * ? * *',
  'Every day at midnight': '0 0 0 ? * *',
  'Every day at 3 am': '0 0 3 ? * *',
  'Every day at noon': '0 0 12 ? * *',
  'Every week': '0 0 3 ? * MON',
};
