/**
 * Cron timing for the scheduler (issue 8, issue 16 §10). When a DHIS2 expression runs is the
 * domain's Spring-compatible computation (src/domain/jobs/cron-next.ts) in the server's time
 * zone, as DHIS2's `CronTrigger`; this adapter only supplies the zone and the timers. (croner
 * used to do both, but its syntax and DST rules are not Spring's: `0/5 * * * * ?` was refused,
 * a time in a repeated hour ran once where Spring runs it twice.)
 */
import { nextExecution } from '../domain/jobs/cron-next.ts';
import { parseCron } from '../domain/jobs/cron-parse.ts';

/** setTimeout's longest delay (about 24.8 days); longer waits are re-armed. */
const MAX_DELAY = 2 ** 31 - 1;

/** The process's time zone (`TZ`), in which DHIS2 and metasync evaluate cron. */
export const serverZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The next run of a DHIS2 expression strictly after `after`, or null (invalid or never). */
export function nextRun(expression: string, after: Date, zone = serverZone()): Date | null {
  const parsed = parseCron(expression);
  return parsed.ok ? nextExecution(parsed.schedule, after, zone) : null;
}

/**
 * Calls `fn(instant)` at each instant the expression names, from now on; `stop()` it to end.
 * The instant is the scheduled one (whole seconds), so every process names a tick alike. Ticks
 * missed while the process could not run (a suspended machine) are not replayed one by one;
 * the scheduler's catch-up covers a missed run. Null for an invalid expression.
 */
export function schedule(
  expression: string,
  fn: (at: Date) => void,
  zone = serverZone(),
): { stop(): void } | null {
  const parsed = parseCron(expression);
  if (!parsed.ok) return null;
  const cron = parsed.schedule;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = (after: Date) => {
    const at = nextExecution(cron, after, zone);
    if (!at) return;
    const wake = () => {
      if (stopped) return;
      const wait = at.getTime() - Date.now();
      if (wait > 0) {
        timer = setTimeout(wake, Math.min(wait, MAX_DELAY));
        timer.unref();
        return;
      }
      try {
        fn(at);
      } finally {
        arm(new Date(Math.max(at.getTime(), Date.now())));
      }
    };
    wake();
  };
  arm(new Date());
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
