/**
 * Job configuration rules (issue 8, src/domain/jobs/job.ts) without a server: what a create or
 * update body must hold, the refusals DHIS2 clients read (E7005 with Spring's reason, an
 * unsupported job type by name), and the DHIS2 forms of runtimes and times. The HTTP suite
 * (test/integration/jobs.test.ts) keeps one of each refusal through the route.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError, ErrorCode } from '../../src/domain/errors.ts';
import {
  DEFAULT_PARAMETERS,
  formatRuntime,
  isoWithOffset,
  validateJobInput,
  type JobInput,
} from '../../src/domain/jobs/job.ts';

const input = (over: Partial<JobInput> = {}): JobInput => ({
  name: 'Nightly sync',
  jobType: 'META_DATA_SYNC',
  cronExpression: '0 0 3 ? * *',
  ...over,
});

const refused = (code: ErrorCode, message: RegExp) => (e: unknown) =>
  e instanceof AppError && e.code === code && message.test(e.message);

describe('job configuration rules', () => {
  it('accepts a DHIS2 body, with the default page size when none is given', () => {
    assert.deepEqual(validateJobInput(input()), {
      jobType: 'META_DATA_SYNC',
      cronExpression: '0 0 3 ? * *',
      jobParameters: DEFAULT_PARAMETERS,
    });
    assert.equal(DEFAULT_PARAMETERS.dataValuesPageSize, 10000);
  });

  it('normalises the whitespace of a cron expression', () => {
    assert.equal(
      validateJobInput(input({ cronExpression: '  0  30 4 ? *   SUN ' })).cronExpression,
      '0 30 4 ? * SUN',
    );
  });

  for (const size of [50, 5000, 30000])
    it(`accepts dataValuesPageSize ${size}`, () => {
      assert.deepEqual(
        validateJobInput(input({ jobParameters: { dataValuesPageSize: size } })).jobParameters,
        { dataValuesPageSize: size },
      );
    });

  for (const size of [49, 30001, 100.5, Number.NaN])
    it(`refuses dataValuesPageSize ${size} with VALIDATION_FAILED`, () => {
      assert.throws(
        () => validateJobInput(input({ jobParameters: { dataValuesPageSize: size } })),
        refused(
          ErrorCode.VALIDATION_FAILED,
          /dataValuesPageSize must be an integer from 50 to 30000/,
        ),
      );
    });

  it("refuses an hour out of range with E7005 and Spring's reason", () => {
    assert.throws(
      () => validateJobInput(input({ cronExpression: '0 0 25 ? * *' })),
      refused(
        ErrorCode.CRON_INVALID,
        /^Cron expression is invalid: `Invalid value for HourOfDay \(valid values 0 - 23\): 25 '25'/,
      ),
    );
  });

  it('refuses a five-field (Unix) cron expression: Spring wants 6 fields', () => {
    assert.throws(
      () => validateJobInput(input({ cronExpression: '0 3 * * *' })),
      refused(ErrorCode.CRON_INVALID, /6 fields/),
    );
  });

  for (const jobType of ['ANALYTICS_TABLE', 'DATA_SYNC', ''])
    it(`refuses job type "${jobType}" by name, naming the one supported`, () => {
      assert.throws(
        () => validateJobInput(input({ jobType })),
        refused(
          ErrorCode.JOB_TYPE_UNSUPPORTED,
          new RegExp(`Job type ${jobType} is not supported.*META_DATA_SYNC`),
        ),
      );
    });

  for (const name of ['NUL \u0000 inside', 'lone \ud800 surrogate'])
    it(`refuses a name the database cannot store: ${JSON.stringify(name)}`, () => {
      assert.throws(
        () => validateJobInput(input({ name })),
        refused(ErrorCode.VALIDATION_FAILED, /U\+0000 or an unpaired surrogate/),
      );
    });

  for (const [ms, text] of [
    [0, '00:00:00.000'],
    [1500, '00:00:01.500'],
    [61_001, '00:01:01.001'],
    [3_600_000 * 27 + 59_999, '27:00:59.999'],
    [-5, '00:00:00.000'],
    [0.6, '00:00:00.001'],
  ] as const)
    it(`formats a runtime of ${ms} ms as ${text}`, () => {
      assert.equal(formatRuntime(ms), text);
    });

  it('writes times with the server offset, the same instant as the Date', () => {
    const d = new Date('2026-11-25T02:00:00.000Z');
    const s = isoWithOffset(d);
    assert.match(s, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    assert.equal(new Date(s).getTime(), d.getTime());
  });
});
