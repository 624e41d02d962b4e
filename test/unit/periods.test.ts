/**
 * DHIS2 ISO periods (issue 7 §1, issue 16 §3): every period type of DHIS2 2.39–2.43, its
 * spellings, canonical id, first and last day, and the ids DHIS2 refuses.
 *
 * The expected dates follow dhis-api `org.hisp.dhis.calendar.DateUnitPeriodTypeParser` (2.43.1;
 * the same arithmetic as 2.39.0's) and the `getIsoDate` of each `org.hisp.dhis.period.*PeriodType`:
 * weeks are java.time `WeekFields.of(firstDay, 4)` weeks (`getDateTimeFromWeek`), financial years
 * start in the id's year except FinancialNov (`new DateTimeUnit(year - 1, 11, 1)`), QuarterlyNov
 * and SixMonthlyNov start in November of the year before (`QuarterlyNovemberPeriodType`,
 * `SixMonthlyNovemberPeriodType.getIsoDate`). They were checked against java.time in jshell.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalPeriod,
  isValidPeriod,
  parsePeriod,
  type PeriodType,
} from '../../src/domain/data/periods.ts';

/** id → [type, first day, last day], or null when DHIS2 refuses the id (E7611). */
type Row = [id: string, expected: [PeriodType, string, string] | null];

const TABLE: Record<PeriodType, Row[]> = {
  Daily: [
    ['20200229', ['Daily', '2020-02-29', '2020-02-29']], // leap day
    ['19991231', ['Daily', '1999-12-31', '1999-12-31']],
    ['20000101', ['Daily', '2000-01-01', '2000-01-01']],
    ['20210229', null], // 2021 is no leap year
    ['19000229', null], // nor is 1900
    ['20200230', null],
    ['20201301', null],
    ['20200100', null],
  ],
  Weekly: [
    ['2020W1', ['Weekly', '2019-12-30', '2020-01-05']], // week 1 starts in the year before
    ['2020W53', ['Weekly', '2020-12-28', '2021-01-03']], // ends in the year after
    ['2021W1', ['Weekly', '2021-01-04', '2021-01-10']],
    ['2015W53', ['Weekly', '2015-12-28', '2016-01-03']],
    ['2026W53', ['Weekly', '2026-12-28', '2027-01-03']],
    ['2021W52', ['Weekly', '2021-12-27', '2022-01-02']],
    ['2021W53', null], // 2021 has 52 ISO weeks (2.39.0 reads it as 2022W1; 2.43 refuses)
    ['2020W0', null],
    ['2020W54', null],
  ],
  WeeklyWednesday: [
    ['2020WedW1', ['WeeklyWednesday', '2020-01-01', '2020-01-07']],
    ['2021WedW1', ['WeeklyWednesday', '2020-12-30', '2021-01-05']],
    ['2022WedW53', ['WeeklyWednesday', '2022-12-28', '2023-01-03']], // 1 Jan 2022 is a Saturday
    ['2021WedW53', null],
    ['2020WedW0', null],
  ],
  WeeklyThursday: [
    ['2020ThuW1', ['WeeklyThursday', '2020-01-02', '2020-01-08']],
    ['2022ThuW1', ['WeeklyThursday', '2021-12-30', '2022-01-05']],
    ['2023ThuW53', ['WeeklyThursday', '2023-12-28', '2024-01-03']], // 1 Jan 2023 is a Sunday
    ['2022ThuW53', null],
  ],
  WeeklyFriday: [
    ['2000FriW1', ['WeeklyFriday', '1999-12-31', '2000-01-06']],
    ['2000FriW2', ['WeeklyFriday', '2000-01-07', '2000-01-13']], // the id of issue 16 §3
    ['2024FriW53', ['WeeklyFriday', '2024-12-27', '2025-01-02']], // leap year from a Monday
    ['2023FriW53', null],
    ['2000FriW0', null],
  ],
  WeeklySaturday: [
    ['2020SatW1', ['WeeklySaturday', '2020-01-04', '2020-01-10']],
    ['2019SatW1', ['WeeklySaturday', '2018-12-29', '2019-01-04']],
    ['2019SatW53', ['WeeklySaturday', '2019-12-28', '2020-01-03']], // 1 Jan 2019 is a Tuesday
    ['2020SatW53', null],
  ],
  WeeklySunday: [
    ['2020SunW1', ['WeeklySunday', '2019-12-29', '2020-01-04']],
    // 2014 has 53 Sunday weeks but 52 ISO weeks; DHIS2 2.39.0 compared with the ISO count and
    // refused the id its own locals generate, 2.43 accepts it.
    ['2014SunW53', ['WeeklySunday', '2014-12-28', '2015-01-03']],
    ['2015SunW53', null], // 53 ISO weeks, 52 Sunday weeks
  ],
  BiWeekly: [
    ['2020BiW1', ['BiWeekly', '2019-12-30', '2020-01-12']],
    ['2020BiW27', ['BiWeekly', '2020-12-28', '2021-01-10']], // ISO week 53 + week 1 of 2021
    ['2021BiW26', ['BiWeekly', '2021-12-20', '2022-01-02']],
    // 2021 has no week 53; DHIS2 (Joda's weeksInYear of 1 Jan 2021 = 53) reads it as 2022BiW1.
    ['2021BiW27', null],
    ['2020BiW28', null],
    ['2020BiW0', null],
  ],
  Monthly: [
    ['202002', ['Monthly', '2020-02-01', '2020-02-29']],
    ['202102', ['Monthly', '2021-02-01', '2021-02-28']],
    ['200002', ['Monthly', '2000-02-01', '2000-02-29']], // divisible by 400: leap
    ['190002', ['Monthly', '1900-02-01', '1900-02-28']],
    ['202012', ['Monthly', '2020-12-01', '2020-12-31']],
    ['202013', null],
    ['202000', null],
  ],
  BiMonthly: [
    ['202001B', ['BiMonthly', '2020-01-01', '2020-02-29']],
    ['202006B', ['BiMonthly', '2020-11-01', '2020-12-31']],
    ['202007B', null],
    ['202000B', null],
  ],
  Quarterly: [
    ['2020Q1', ['Quarterly', '2020-01-01', '2020-03-31']],
    ['2020Q4', ['Quarterly', '2020-10-01', '2020-12-31']],
    ['2020Q0', null],
    ['2020Q5', null],
  ],
  QuarterlyNov: [
    ['2000NovQ1', ['QuarterlyNov', '1999-11-01', '2000-01-31']], // the id of issue 16 §3
    ['2000NovQ2', ['QuarterlyNov', '2000-02-01', '2000-04-30']], // leap February
    ['2000NovQ3', ['QuarterlyNov', '2000-05-01', '2000-07-31']],
    ['2000NovQ4', ['QuarterlyNov', '2000-08-01', '2000-10-31']],
    ['2021NovQ2', ['QuarterlyNov', '2021-02-01', '2021-04-30']],
    ['2000NovQ0', null],
    ['2000NovQ5', null],
  ],
  SixMonthly: [
    ['2020S1', ['SixMonthly', '2020-01-01', '2020-06-30']],
    ['2020S2', ['SixMonthly', '2020-07-01', '2020-12-31']],
    ['2020S0', null],
    ['2020S3', null],
  ],
  SixMonthlyApril: [
    ['2020AprilS1', ['SixMonthlyApril', '2020-04-01', '2020-09-30']],
    ['2020AprilS2', ['SixMonthlyApril', '2020-10-01', '2021-03-31']],
    ['2020AprilS3', null],
  ],
  SixMonthlyNov: [
    ['2020NovS1', ['SixMonthlyNov', '2019-11-01', '2020-04-30']],
    ['2020NovS2', ['SixMonthlyNov', '2020-05-01', '2020-10-31']],
    ['2020NovS3', null],
  ],
  Yearly: [
    ['2020', ['Yearly', '2020-01-01', '2020-12-31']],
    ['0099', ['Yearly', '0099-01-01', '0099-12-31']], // not 1999: years below 100 stay as they are
  ],
  FinancialFeb: [
    ['2000Feb', ['FinancialFeb', '2000-02-01', '2001-01-31']], // the id of issue 16 §3
    ['2024Feb', ['FinancialFeb', '2024-02-01', '2025-01-31']],
  ],
  FinancialApril: [['2020April', ['FinancialApril', '2020-04-01', '2021-03-31']]],
  FinancialJuly: [['2020July', ['FinancialJuly', '2020-07-01', '2021-06-30']]],
  FinancialAug: [['2000Aug', ['FinancialAug', '2000-08-01', '2001-07-31']]], // issue 16 §3
  FinancialSep: [['2020Sep', ['FinancialSep', '2020-09-01', '2021-08-31']]],
  FinancialOct: [['2020Oct', ['FinancialOct', '2020-10-01', '2021-09-30']]],
  // Named after the year it ends in (metasync dated 2000Nov November 2000 – October 2001).
  FinancialNov: [
    ['2000Nov', ['FinancialNov', '1999-11-01', '2000-10-31']],
    ['2021Nov', ['FinancialNov', '2020-11-01', '2021-10-31']],
  ],
};

const day = (d: Date) => d.toISOString().slice(0, 10);
const describePeriod = (id: string) => {
  const p = parsePeriod(id);
  return p && [p.type, day(p.start), day(p.end)];
};

describe('DHIS2 periods', () => {
  for (const [type, rows] of Object.entries(TABLE))
    it(`${type}: parses its ids to DHIS2's first and last day, refuses impossible ones`, () => {
      for (const [id, expected] of rows) {
        assert.deepEqual(describePeriod(id), expected, id);
        if (expected) assert.equal(canonicalPeriod(id), id, `${id} is canonical`);
      }
    });

  it('reads the other spellings DHIS2 reads and names them canonically', () => {
    const spellings: [string, string][] = [
      ['2020-02-29', '20200229'],
      ['2020-02', '202002'],
      ['2020W01', '2020W1'],
      ['2020W09', '2020W9'],
      ['2020WedW01', '2020WedW1'],
      ['2000FriW02', '2000FriW2'],
      ['2020SunW01', '2020SunW1'],
      ['2020BiW01', '2020BiW1'],
    ];
    for (const [id, canonical] of spellings) {
      assert.equal(parsePeriod(id)?.id, canonical, id);
      assert.deepEqual(describePeriod(id), describePeriod(canonical), id);
    }
  });

  it('refuses malformed ids and types DHIS2 has no ISO id for', () => {
    for (const bad of [
      '',
      '20',
      '202',
      ' 2020',
      '2020 ',
      '2020q1',
      '2020nov',
      '2020Jan',
      '2020Mar',
      '2020November',
      '2020NovQ',
      '2020AprilS',
      '2020W',
      '2020W100',
      '2020-1',
      '2020-01-1',
      '2020-0101',
      '202001-01',
      '20201B',
      '2020MonW1',
      '2020TwoYearly',
      '２０２０',
    ])
      assert.equal(isValidPeriod(bad), false, JSON.stringify(bad));
  });

  it('counts 52 or 53 weeks per year for each first weekday', () => {
    const weeks = (year: number, prefix: string) =>
      Array.from({ length: 55 }, (_, i) => `${year}${prefix}${i}`).filter(isValidPeriod).length;
    assert.deepEqual(
      [2014, 2015, 2019, 2020, 2021, 2022, 2023, 2024, 2026].map((y) => [
        weeks(y, 'W'),
        weeks(y, 'WedW'),
        weeks(y, 'ThuW'),
        weeks(y, 'FriW'),
        weeks(y, 'SatW'),
        weeks(y, 'SunW'),
        weeks(y, 'BiW'),
      ]),
      [
        [52, 52, 52, 52, 52, 53, 26], // 2014
        [53, 52, 52, 52, 52, 52, 27], // 2015
        [52, 52, 52, 52, 53, 52, 26], // 2019
        [53, 52, 52, 52, 52, 53, 27], // 2020
        [52, 52, 52, 52, 52, 52, 26], // 2021
        [52, 53, 52, 52, 52, 52, 26], // 2022
        [52, 52, 53, 52, 52, 52, 26], // 2023
        [52, 52, 52, 53, 53, 52, 26], // 2024
        [53, 52, 52, 52, 52, 52, 27], // 2026
      ],
    );
  });

  it('keeps consecutive weeks and months contiguous across year boundaries', () => {
    const next = (id: string) => addDay(parsePeriod(id)!.end);
    const addDay = (d: Date) => day(new Date(d.getTime() + 86_400_000));
    const start = (id: string) => day(parsePeriod(id)!.start);
    const pairs: [string, string][] = [
      ['2020W53', '2021W1'],
      ['2021W52', '2022W1'],
      ['2022WedW53', '2023WedW1'],
      ['2024FriW53', '2025FriW1'],
      ['2014SunW53', '2015SunW1'],
      ['2021BiW26', '2022BiW1'],
      ['2000NovQ4', '2001NovQ1'],
      ['2020NovS2', '2021NovS1'],
      ['2020AprilS2', '2021AprilS1'],
      ['2000Nov', '2001Nov'],
      ['2000Feb', '2001Feb'],
      ['202012', '202101'],
    ];
    for (const [a, b] of pairs) assert.equal(next(a), start(b), `${a} → ${b}`);
  });
});
