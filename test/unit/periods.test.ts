/** DHIS2 ISO periods (issue 7 §1): what is valid, and the days each period covers. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidPeriod, parsePeriod } from '../../src/domain/data/periods.ts';

const range = (id: string) => {
  const p = parsePeriod(id);
  assert.ok(p, `${id} should be valid`);
  return [p.type, p.start.toISOString().slice(0, 10), p.end.toISOString().slice(0, 10)];
};

describe('DHIS2 periods', () => {
  it('parses every supported period type with its first and last day', () => {
    assert.deepEqual(range('20200229'), ['Daily', '2020-02-29', '2020-02-29']);
    assert.deepEqual(range('2020W1'), ['Weekly', '2019-12-30', '2020-01-05']);
    assert.deepEqual(range('2020W53'), ['Weekly', '2020-12-28', '2021-01-03']);
    assert.deepEqual(range('2021W1'), ['Weekly', '2021-01-04', '2021-01-10']);
    assert.deepEqual(range('2020WedW1'), ['WeeklyWednesday', '2020-01-01', '2020-01-07']);
    assert.deepEqual(range('2020ThuW1'), ['WeeklyThursday', '2020-01-02', '2020-01-08']);
    assert.deepEqual(range('2020SatW1'), ['WeeklySaturday', '2020-01-04', '2020-01-10']);
    assert.deepEqual(range('2020SunW1'), ['WeeklySunday', '2019-12-29', '2020-01-04']);
    assert.deepEqual(range('2020BiW1'), ['BiWeekly', '2019-12-30', '2020-01-12']);
    assert.deepEqual(range('202002'), ['Monthly', '2020-02-01', '2020-02-29']);
    assert.deepEqual(range('202003B'), ['BiMonthly', '2020-05-01', '2020-06-30']);
    assert.deepEqual(range('2020Q4'), ['Quarterly', '2020-10-01', '2020-12-31']);
    assert.deepEqual(range('2020S2'), ['SixMonthly', '2020-07-01', '2020-12-31']);
    assert.deepEqual(range('2020AprilS1'), ['SixMonthlyApril', '2020-04-01', '2020-09-30']);
    assert.deepEqual(range('2020AprilS2'), ['SixMonthlyApril', '2020-10-01', '2021-03-31']);
    assert.deepEqual(range('2020NovS1'), ['SixMonthlyNov', '2019-11-01', '2020-04-30']);
    assert.deepEqual(range('2020'), ['Yearly', '2020-01-01', '2020-12-31']);
    assert.deepEqual(range('2020April'), ['FinancialApril', '2020-04-01', '2021-03-31']);
    assert.deepEqual(range('2020July'), ['FinancialJuly', '2020-07-01', '2021-06-30']);
    assert.deepEqual(range('2020Oct'), ['FinancialOct', '2020-10-01', '2021-09-30']);
    assert.deepEqual(range('2020Nov'), ['FinancialNov', '2020-11-01', '2021-10-31']);
  });

  it('refuses malformed and impossible periods', () => {
    for (const bad of [
      '',
      '20',
      '2020W0',
      '2021W53',
      '2020W54',
      '2020BiW28',
      '202013',
      '202000',
      '20200230',
      '20210229',
      '202007B',
      '2020Q5',
      '2020S3',
      '2020AprilS3',
      '2020Jan',
      '2020-01',
      '2020-01-01',
      ' 2020',
      '2020q1',
    ])
      assert.equal(isValidPeriod(bad), false, bad);
  });

  it('counts 52 or 53 ISO weeks per year', () => {
    const weeks = (y: number) =>
      Array.from({ length: 54 }, (_, i) => `${y}W${i + 1}`).filter(isValidPeriod).length;
    assert.equal(weeks(2020), 53);
    assert.equal(weeks(2021), 52);
    assert.equal(weeks(2026), 53);
  });
});
