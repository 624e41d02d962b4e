/** DHIS2 cron: presets → expressions, job validation with Spring's reasons (issue 8 §1, 16 §10). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cronToPreset,
  presetProblems,
  presetToCron,
  SCHEDULER_APP_PRESETS,
  type Preset,
} from '../../src/domain/jobs/cron.ts';
import { parseCron } from '../../src/domain/jobs/cron-parse.ts';
import { formatRuntime, isoWithOffset, validateJobInput } from '../../src/domain/jobs/job.ts';
import { nextRun } from '../../src/jobs/cron-engine.ts';
import { AppError } from '../../src/domain/errors.ts';

describe('presetToCron', () => {
  it('maps every frequency with a time of day', () => {
    assert.equal(presetToCron({ frequency: 'HOURLY', time: '00:15' }), '0 15 * ? * *');
    assert.equal(presetToCron({ frequency: 'DAILY', time: '03:00' }), '0 0 3 ? * *');
    assert.equal(presetToCron({ frequency: 'DAILY', time: '23:59' }), '0 59 23 ? * *');
    assert.equal(presetToCron({ frequency: 'WEEKLY', time: '03:00' }), '0 0 3 ? * MON');
    assert.equal(
      presetToCron({ frequency: 'WEEKLY', time: '18:30', dayOfWeek: 'FRI' }),
      '0 30 18 ? * FRI',
    );
    assert.equal(presetToCron({ frequency: 'MONTHLY', time: '02:05' }), '0 5 2 1 * ?');
    assert.equal(
      presetToCron({ frequency: 'MONTHLY', time: '02:05', dayOfMonth: 15 }),
      '0 5 2 15 * ?',
    );
    assert.equal(presetToCron({ frequency: 'YEARLY', time: '01:00' }), '0 0 1 1 JAN ?');
    assert.equal(
      presetToCron({ frequency: 'YEARLY', time: '01:00', dayOfMonth: 28, month: 12 }),
      '0 0 1 28 DEC ?',
    );
  });

  it('refuses times and days out of range', () => {
    assert.throws(() => presetToCron({ frequency: 'DAILY', time: '24:00' }), /HH:MM/);
    assert.throws(() => presetToCron({ frequency: 'DAILY', time: '3:00' }), /HH:MM/);
    assert.throws(
      () => presetToCron({ frequency: 'MONTHLY', time: '03:00', dayOfMonth: 31 }),
      /1–28/,
    );
    assert.throws(() => presetToCron({ frequency: 'YEARLY', time: '03:00', month: 13 }), /1–12/);
  });

  it('every preset parses and falls when expected', () => {
    const base = new Date(2026, 10, 25, 10, 0, 0); // Wed 25 Nov 2026 10:00 local
    const at = (p: Parameters<typeof presetToCron>[0]) => nextRun(presetToCron(p), base)!;
    assert.deepEqual(at({ frequency: 'DAILY', time: '03:00' }), new Date(2026, 10, 26, 3, 0, 0));
    assert.deepEqual(at({ frequency: 'HOURLY', time: '00:15' }), new Date(2026, 10, 25, 10, 15));
    assert.deepEqual(at({ frequency: 'WEEKLY', time: '03:00' }), new Date(2026, 10, 30, 3, 0, 0));
    assert.deepEqual(at({ frequency: 'MONTHLY', time: '03:00' }), new Date(2026, 11, 1, 3, 0, 0));
    assert.deepEqual(at({ frequency: 'YEARLY', time: '03:00' }), new Date(2027, 0, 1, 3, 0, 0));
  });

  it("the Scheduler app's presets are valid expressions", () => {
    for (const [label, cron] of Object.entries(SCHEDULER_APP_PRESETS))
      assert.ok(parseCron(cron).ok, label);
  });
});

// The web UI's job form builds its cron with these (issue 17 §6): before, it had its own builder
// that accepted days 29–31, which presetToCron refuses (not every month has them).
describe('presetProblems and cronToPreset (shared with the web UI)', () => {
  it('names the field of each day, month and time the UI used to accept', () => {
    for (const dayOfMonth of [0, 29, 30, 31, 1.5, NaN])
      assert.deepEqual(
        presetProblems({ frequency: 'MONTHLY', time: '03:00', dayOfMonth }).map((p) => p.property),
        ['dayOfMonth'],
        `day ${dayOfMonth}`,
      );
    assert.deepEqual(
      presetProblems({ frequency: 'YEARLY', time: '3:00', dayOfMonth: 31, month: 13 }),
      [
        { property: 'time', message: 'time must be HH:MM (00:00–23:59), got "3:00"' },
        { property: 'dayOfMonth', message: 'dayOfMonth must be 1–28, got 31' },
        { property: 'month', message: 'month must be 1–12, got 13' },
      ],
    );
    assert.deepEqual(presetProblems({ frequency: 'MONTHLY', time: '23:59', dayOfMonth: 28 }), []);
  });

  it('presetToCron refuses exactly what presetProblems names', () => {
    for (const dayOfMonth of [28, 29, 31])
      for (const frequency of ['MONTHLY', 'YEARLY'] as const) {
        const p: Preset = { frequency, time: '03:00', dayOfMonth, month: 2 };
        const problems = presetProblems(p);
        if (problems.length === 0) assert.match(presetToCron(p), /^0 0 3 28 /);
        else assert.throws(() => presetToCron(p), { message: problems[0]!.message });
      }
  });

  it('reads back every preset it writes, and nothing the form could not save', () => {
    const presets: Preset[] = [
      { frequency: 'HOURLY', time: '00:15' },
      { frequency: 'DAILY', time: '03:00' },
      { frequency: 'WEEKLY', time: '18:30', dayOfWeek: 'FRI' },
      { frequency: 'MONTHLY', time: '02:05', dayOfMonth: 15 },
      { frequency: 'YEARLY', time: '01:00', dayOfMonth: 28, month: 12 },
    ];
    for (const p of presets) assert.deepEqual(cronToPreset(presetToCron(p)), p);
    // Older UIs wrote the month as a number.
    assert.deepEqual(cronToPreset('0 0 3 5 12 ?'), {
      frequency: 'YEARLY',
      time: '03:00',
      dayOfMonth: 5,
      month: 12,
    });
    for (const cron of [
      '0 0 3 31 * ?',
      '0 0 3 30 FEB ?',
      '0 0 25 ? * *',
      '0 */5 * ? * *',
      '@daily',
    ])
      assert.equal(cronToPreset(cron), null, cron);
  });
});

describe('nextRun', () => {
  it('matches a day by day-of-month AND day-of-week, as Spring does', () => {
    // The legacy "first Monday of the month" (contract §13).
    const next = nextRun('0 0 3 1-7 * MON', new Date(2026, 10, 25, 10));
    assert.deepEqual(next, new Date(2026, 11, 7, 3, 0, 0));
  });
  it('is null for an invalid expression or one that never runs again', () => {
    assert.equal(nextRun('0 3 * * *', new Date(2026, 0, 1)), null);
    assert.equal(nextRun('0 0 0 30 FEB ?', new Date(2026, 0, 1)), null);
  });
});

describe('validateJobInput', () => {
  const base = { name: 'Sync', jobType: 'META_DATA_SYNC', cronExpression: '0 0 3 ? * *' };
  it('accepts META_DATA_SYNC with defaults', () => {
    assert.deepEqual(validateJobInput(base), {
      jobType: 'META_DATA_SYNC',
      cronExpression: '0 0 3 ? * *',
      jobParameters: { dataValuesPageSize: 10000 },
    });
  });
  it('refuses other job types, bad cron (with the engine reason) and bad page sizes', () => {
    const code = (input: typeof base & { jobParameters?: { dataValuesPageSize: number } }) => {
      try {
        validateJobInput(input);
        return 'ok';
      } catch (e) {
        assert.ok(e instanceof AppError);
        return `${e.code} ${e.message}`;
      }
    };
    assert.match(
      code({ ...base, jobType: 'ANALYTICS_TABLE' }),
      /^JOB_TYPE_UNSUPPORTED .*ANALYTICS_TABLE/,
    );
    assert.equal(
      code({ ...base, cronExpression: '0 0 25 ? * *' }),
      'CRON_INVALID Cron expression is invalid: `Invalid value for HourOfDay (valid values 0 - 23): 25 \'25\' in cron expression "0 0 25 ? * *"`',
    );
    assert.match(code({ ...base, cronExpression: 'every day' }), /^CRON_INVALID .*6 fields/);
    assert.equal(code({ ...base, cronExpression: '0/5 * * * * ?' }), 'ok');
    assert.match(
      code({ ...base, jobParameters: { dataValuesPageSize: 10 } }),
      /^VALIDATION_FAILED .*50 to 30000/,
    );
  });
});

describe('formatting', () => {
  it('runtime as HH:MM:SS.mmm', () => {
    assert.equal(formatRuntime(0), '00:00:00.000');
    assert.equal(formatRuntime(3_723_045), '01:02:03.045');
  });
  it('ISO-8601 with the server offset names the same instant', () => {
    const d = new Date('2026-11-25T03:00:00.000Z');
    const s = isoWithOffset(d);
    assert.match(s, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/);
    assert.equal(new Date(s).getTime(), d.getTime());
  });
});
