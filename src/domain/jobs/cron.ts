/**
 * DHIS2 cron presets (contract §13): the expressions the settings screen and DHIS2's Scheduler
 * app write. Parsing and next execution times are Spring's (cron-parse.ts, cron-next.ts).
 *
 * Pure, with no imports: the web UI's job form imports this module too (web/src/screens/
 * schedule.ts), so the UI cannot build a preset the server would refuse (issue 17 §6).
 */

/** The frequencies of the settings screen's sync schedule (issue 8 §1). */
export type Frequency = 'HOURLY' | 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';
export const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const MONTHS = [
  'JAN',
  'FEB',
  'MAR',
  'APR',
  'MAY',
  'JUN',
  'JUL',
  'AUG',
  'SEP',
  'OCT',
  'NOV',
  'DEC',
];

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

/** A field of a preset that is out of range, and why (the UI shows it next to that field). */
export interface PresetProblem {
  property: 'time' | 'dayOfMonth' | 'month';
  message: string;
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** What is wrong with a preset, field by field; empty when `presetToCron` accepts it. */
export function presetProblems(p: Preset): PresetProblem[] {
  const problems: PresetProblem[] = [];
  if (!TIME.test(p.time))
    problems.push({
      property: 'time',
      message: `time must be HH:MM (00:00–23:59), got "${p.time}"`,
    });
  const day = p.dayOfMonth ?? 1;
  if (!Number.isInteger(day) || day < 1 || day > 28)
    problems.push({ property: 'dayOfMonth', message: `dayOfMonth must be 1–28, got ${day}` });
  const month = p.month ?? 1;
  if (!Number.isInteger(month) || month < 1 || month > 12)
    problems.push({ property: 'month', message: `month must be 1–12, got ${month}` });
  return problems;
}

/**
 * A preset as DHIS2's Scheduler app writes it (`0 0 3 ? * *` = every day at 3 am,
 * `0 0 3 ? * MON` = every week); monthly and yearly follow the legacy Data Administration UI
 * (contract §13) with `?` in day-of-week. Throws on a value out of range (a programming or input
 * error the caller reports as 400).
 */
export function presetToCron(p: Preset): string {
  const [problem] = presetProblems(p);
  if (problem) throw new RangeError(problem.message);
  const m = TIME.exec(p.time)!;
  const [hour, minute] = [Number(m[1]), Number(m[2])];
  const day = p.dayOfMonth ?? 1;
  const month = p.month ?? 1;
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

/**
 * The reverse of `presetToCron`, for editing a job: the preset that writes exactly `cron`, or
 * null when no preset does (the form then shows the expression itself). Months are read as
 * names or numbers, as older metasync UIs wrote numbers.
 */
export function cronToPreset(cron: string): Preset | null {
  const f = cron.trim().split(/\s+/);
  if (f.length !== 6 || f[0] !== '0') return null;
  const [, min, hr, day, month, wd] = f as [string, string, string, string, string, string];
  if (!/^\d{1,2}$/.test(min)) return null;
  const pad = (n: string) => n.padStart(2, '0');
  const noDay = (day === '?' || day === '*') && month === '*';
  const anyWeekday = wd === '*' || wd === '?';
  let preset: Preset | null = null;
  if (hr === '*' && noDay && anyWeekday) preset = { frequency: 'HOURLY', time: `00:${pad(min)}` };
  else if (!/^\d{1,2}$/.test(hr)) return null;
  else if (noDay && anyWeekday) preset = { frequency: 'DAILY', time: `${pad(hr)}:${pad(min)}` };
  else if (noDay && (WEEKDAYS as readonly string[]).includes(wd))
    preset = { frequency: 'WEEKLY', time: `${pad(hr)}:${pad(min)}`, dayOfWeek: wd as Weekday };
  else if (/^\d{1,2}$/.test(day) && anyWeekday) {
    const time = `${pad(hr)}:${pad(min)}`;
    const byName = MONTHS.indexOf(month.toUpperCase()) + 1;
    const monthNo = byName > 0 ? byName : /^\d{1,2}$/.test(month) ? Number(month) : NaN;
    if (month === '*') preset = { frequency: 'MONTHLY', time, dayOfMonth: Number(day) };
    else if (!Number.isNaN(monthNo))
      preset = { frequency: 'YEARLY', time, dayOfMonth: Number(day), month: monthNo };
  }
  // Only presets the form could save again (a day 29–31 or 25:00 is shown as the expression).
  return preset && presetProblems(preset).length === 0 ? preset : null;
}

/** The Scheduler app's ready-made choices (`CronPresetModal`, contract §13). */
export const SCHEDULER_APP_PRESETS: Readonly<Record<string, string>> = {
  'Every hour': '0 0 * ? * *',
  'Every day at midnight': '0 0 0 ? * *',
  'Every day at 3 am': '0 0 3 ? * *',
  'Every day at noon': '0 0 12 ? * *',
  'Every week': '0 0 3 ? * MON',
};
