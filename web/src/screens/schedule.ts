/**
 * The job form's schedule (issue 17 §6): its state, DHIS2's 6-field cron from it and back, its
 * problems (the domain's own checks) and its description, in the UI's language.
 */
import {
  cronToPreset,
  presetProblems,
  presetToCron,
  WEEKDAYS,
  type Frequency,
  type Preset,
  type PresetProblem,
  type Weekday,
} from '../../../src/domain/jobs/cron.ts';
import { i18n, uiLocale } from '../i18n.ts';

/** The form's choices: the domain's presets (all but hourly) or a cron expression as typed. */
export type FormFrequency = 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY' | 'CRON';
/** Weekday and month names in the UI's language (Sunday first, as `WEEKDAYS`). */
export const dayNames = (): string[] =>
  [0, 1, 2, 3, 4, 5, 6].map((d) =>
    new Intl.DateTimeFormat(uiLocale(), { weekday: 'long', timeZone: 'UTC' }).format(
      Date.UTC(2023, 0, 1 + d), // 1 January 2023 was a Sunday
    ),
  );
export const monthNames = (): string[] =>
  Array.from({ length: 12 }, (_, m) =>
    new Intl.DateTimeFormat(uiLocale(), { month: 'long', timeZone: 'UTC' }).format(
      Date.UTC(2023, m, 1),
    ),
  );

/** The form's state: the inputs' text as typed (checked by the domain's `presetProblems`). */
export interface Schedule {
  frequency: FormFrequency;
  time: string;
  weekday: Weekday;
  day: string;
  month: string;
  cron: string;
}

/** The domain's preset for the form (only the fields its frequency uses are checked). */
function toPreset(s: Schedule & { frequency: Frequency }): Preset {
  return {
    frequency: s.frequency,
    time: s.time,
    ...(s.frequency === 'WEEKLY' ? { dayOfWeek: s.weekday } : {}),
    ...(s.frequency === 'MONTHLY' || s.frequency === 'YEARLY' ? { dayOfMonth: Number(s.day) } : {}),
    ...(s.frequency === 'YEARLY' ? { month: Number(s.month) } : {}),
  };
}

const isPreset = (s: Schedule): s is Schedule & { frequency: Frequency } => s.frequency !== 'CRON';

/** The form's field for each of the domain's preset problems. */
const FIELD: Record<PresetProblem['property'], string> = {
  time: 'time',
  dayOfMonth: 'day',
  month: 'month',
};

/** Field errors of a preset schedule, from the domain's own checks (issue 17 §6). */
export function scheduleProblems(s: Schedule): Record<string, string> {
  if (!isPreset(s)) return {};
  return Object.fromEntries(presetProblems(toPreset(s)).map((p) => [FIELD[p.property], p.message]));
}

/** The 6-field DHIS2 cron (sec min hour day month weekday): the domain's `presetToCron`. */
export function toCron(s: Schedule): string {
  return isPreset(s) ? presetToCron(toPreset(s)) : s.cron.trim();
}

export const DEFAULTS: Schedule = {
  frequency: 'DAILY',
  time: '03:00',
  weekday: 'MON',
  day: '1',
  month: '1',
  cron: '0 0 3 ? * *',
};

/** The reverse, for editing: the form of the domain's preset, else the CRON form. */
export function fromCron(cron: string): Schedule {
  const p = cronToPreset(cron);
  if (!p || p.frequency === 'HOURLY') return { ...DEFAULTS, frequency: 'CRON', cron };
  return {
    ...DEFAULTS,
    cron,
    frequency: p.frequency,
    time: p.time,
    weekday: p.dayOfWeek ?? 'MON',
    day: String(p.dayOfMonth ?? 1),
    month: String(p.month ?? 1),
  };
}

export function describe(cron: string): string {
  const p = cronToPreset(cron);
  switch (p?.frequency) {
    case 'HOURLY':
      return i18n.t('Hourly at minute {{minute}}', { minute: Number(p.time.slice(3)) });
    case 'DAILY':
      return i18n.t('Daily at {{time}}', { time: p.time });
    case 'WEEKLY':
      return i18n.t('Weekly on {{day}} at {{time}}', {
        day: dayNames()[WEEKDAYS.indexOf(p.dayOfWeek ?? 'MON')],
        time: p.time,
      });
    case 'MONTHLY':
      return i18n.t('Monthly on day {{day}} at {{time}}', { day: p.dayOfMonth ?? 1, time: p.time });
    case 'YEARLY':
      return i18n.t('Yearly on {{day}} {{month}} at {{time}}', {
        day: p.dayOfMonth ?? 1,
        month: monthNames()[(p.month ?? 1) - 1],
        time: p.time,
      });
    default:
      return cron;
  }
}
