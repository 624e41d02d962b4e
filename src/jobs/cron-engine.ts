/**
 * The croner adapter: one place that knows croner's options. Spring (DHIS2) cron matches a day
 * only when day-of-month AND day-of-week match (`domAndDow`), always has a seconds field
 * (`6-part`), and runs in the server's time zone (croner's default, as DHIS2).
 */
import { Cron, type CronOptions } from 'croner';
import { toEnginePattern } from '../domain/jobs/cron.ts';

const OPTIONS: CronOptions = { mode: '6-part', domAndDow: true };

/** croner's reason for refusing an (already converted) pattern, or null when it parses. */
export function engineCheck(pattern: string): string | null {
  try {
    new Cron(pattern, { ...OPTIONS, paused: true }).stop();
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** The next run of a DHIS2 expression strictly after `after`, or null (invalid or never). */
export function nextRun(expression: string, after: Date): Date | null {
  const converted = toEnginePattern(expression);
  if (!converted.ok) return null;
  try {
    const c = new Cron(converted.pattern, { ...OPTIONS, paused: true });
    const next = c.nextRun(after);
    c.stop();
    return next;
  } catch {
    // An expression stored before a stricter engine version: it simply never runs.
    return null;
  }
}

/** Starts a timer firing `fn(scheduledInstant)` at each match; `stop()` it to end. */
export function schedule(expression: string, fn: (at: Date) => void): { stop(): void } | null {
  const converted = toEnginePattern(expression);
  if (!converted.ok) return null;
  try {
    const job: Cron = new Cron(converted.pattern, { ...OPTIONS, unref: true }, () => {
      // The instant the tick was for, to the second: every process computes the same one.
      const at = job.currentRun() ?? new Date();
      fn(new Date(Math.floor(at.getTime() / 1000) * 1000));
    });
    return { stop: () => job.stop() };
  } catch {
    return null;
  }
}
