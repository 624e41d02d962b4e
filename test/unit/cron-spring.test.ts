/**
 * DHIS2's cron = Spring's `CronExpression` (issue 16 §10), table-driven: each expression of
 * Spring's javadoc and reference documentation ("Cron Expressions", "Macros"), of its
 * CronExpressionTests / CronTriggerTests / BitsCronFieldTests / QuartzCronFieldTests, and the
 * forms DHIS2's Scheduler app and legacy UI write, with the next five execution times from one
 * instant in UTC and in Europe/Amsterdam (whose DST starts two days later), or Spring's refusal.
 *
 * The expected values are Spring's own: `CronExpression.parse(e).next(t)` of spring-context
 * 6.2.8 (the release DHIS2 2.43.1 ships; 5.3.39 of DHIS2 2.41 gives the same except where
 * noted), compiled from spring-framework's source and run on each row. Refusal reasons are
 * Spring 5.3's wording; 6.x words number errors inside a range or `W` as `Error at index …`.
 * The zone is a parameter of `nextExecution` (the scheduler passes the process's `TZ`), so the
 * tests do not depend on the zone they run in.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextExecution } from '../../src/domain/jobs/cron-next.ts';
import { parseCron } from '../../src/domain/jobs/cron-parse.ts';
import { DST, FROM, INVALID, VALID } from '../support/spring-cron-cases.ts';

/** Up to `n` next execution times (ISO instants) from `from`; fewer when the schedule ends. */
function nextTimes(cron: string, zone: string, from: string, n: number): string[] {
  const parsed = parseCron(cron);
  assert.ok(parsed.ok, `${cron}: ${parsed.ok || parsed.reason}`);
  const times: string[] = [];
  let t = new Date(from);
  for (let i = 0; i < n; i++) {
    const next = nextExecution(parsed.schedule, t, zone);
    if (!next) break;
    times.push(next.toISOString());
    t = next;
  }
  return times;
}

const instants = (times: string) =>
  times === '' ? [] : times.split(' ').map((t) => new Date(t).toISOString());

describe("Spring's CronExpression", () => {
  it('accepts every expression Spring accepts, with Spring’s next five times in UTC', () => {
    for (const [comment, cron, utc] of VALID)
      assert.deepEqual(nextTimes(cron, 'UTC', FROM, 5), instants(utc), `${comment}: ${cron}`);
  });

  it('and in Europe/Amsterdam, across the start of summer time', () => {
    for (const [comment, cron, , amsterdam] of VALID)
      assert.deepEqual(
        nextTimes(cron, 'Europe/Amsterdam', FROM, 5),
        instants(amsterdam),
        `${comment}: ${cron}`,
      );
  });

  it('skips a time in a DST gap and runs a time in a repeated hour twice, as Spring', () => {
    for (const [comment, cron, zone, from, times] of DST)
      assert.deepEqual(
        nextTimes(cron, zone, from, instants(times).length),
        instants(times),
        `${comment}: ${cron} in ${zone}`,
      );
  });

  it('refuses what Spring refuses, with its reason', () => {
    for (const [cron, reason] of INVALID) {
      const parsed = parseCron(cron);
      assert.deepEqual(parsed, { ok: false, reason }, JSON.stringify(cron));
    }
  });

  it('expands the macros to Spring’s expressions', () => {
    const expanded = (e: string) => {
      const p = parseCron(e);
      return p.ok ? p.schedule.expression : p.reason;
    };
    assert.equal(expanded('@yearly'), '0 0 0 1 1 *');
    assert.equal(expanded(' @Annually '), '0 0 0 1 1 *');
    assert.equal(expanded('@weekly'), '0 0 0 * * 0');
    assert.equal(expanded('@hourly'), '0 0 * * * *');
    assert.equal(
      expanded('@constructor'),
      'Cron expression must consist of 6 fields (found 1 in "@constructor")',
    );
  });
});
