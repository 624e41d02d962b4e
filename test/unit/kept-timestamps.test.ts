/**
 * Pushed rows keep the timestamps they are sent with (issue 21 §2), the server's clock standing
 * in only for an absent or unparseable one; and the run view's line of what a push sent.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dataValueValidator } from '../../src/domain/data/data-values.ts';
import { validateEvent } from '../../src/domain/data/events.ts';
import { validateRegistration } from '../../src/domain/data/registrations.ts';
import { describePushed } from '../../src/domain/sync/data-pushed.ts';

const NOW = '2026-12-07T16:00:00.000Z';
const COC = 'HllvX50cXC0';

describe('timestamps kept as sent', () => {
  const validate = dataValueValidator(
    {},
    {
      dataElements: new Map([['deAAAAAAAAA', { id: 'deAAAAAAAAA', valueType: 'NUMBER' }]]),
      orgUnits: new Map([['ouAAAAAAAAA', 'ouAAAAAAAAA']]),
      optionCombos: new Map([[COC, COC]]),
    },
    NOW,
  );
  const value = (extra: Record<string, unknown>) => {
    const r = validate(
      {
        dataElement: 'deAAAAAAAAA',
        period: '202001',
        orgUnit: 'ouAAAAAAAAA',
        value: '1',
        ...extra,
      },
      0,
    );
    assert.ok(r.ok);
    return r.value;
  };

  it('a data value keeps storedBy, created and lastUpdated; now stands in for a missing or bad one', () => {
    const kept = value({
      storedBy: 'clerk',
      created: '2024-01-01T10:00:00.000+0000',
      lastUpdated: '2024-01-02T10:00:00.000Z',
    });
    assert.deepEqual(
      [kept.storedBy, kept.created, kept.lastUpdated],
      ['clerk', '2024-01-01T10:00:00.000Z', '2024-01-02T10:00:00.000Z'],
    );
    // toISOString's form goes through unparsed; a day not every month has is parsed as before.
    const rolled = value({ lastUpdated: '2024-02-30T00:00:00.000Z' });
    assert.equal(rolled.lastUpdated, '2024-03-01T00:00:00.000Z');
    const stamped = value({ lastUpdated: 'yesterday' });
    assert.deepEqual([stamped.storedBy, stamped.created, stamped.lastUpdated], [null, NOW, NOW]);
  });

  it('a registration keeps date, storedBy, lastUpdatedBy and lastUpdated', () => {
    const refs = {
      dataSets: new Set(['dsAAAAAAAAA']),
      orgUnits: new Set(['ouAAAAAAAAA']),
      optionCombos: new Set([COC]),
    };
    const base = { dataSet: 'dsAAAAAAAAA', period: '202001', organisationUnit: 'ouAAAAAAAAA' };
    const r = validateRegistration(
      { ...base, date: '2024-02-01', lastUpdated: '2024-02-03T04:05:06.007Z', lastUpdatedBy: 'b' },
      0,
      refs,
      NOW,
    );
    assert.ok(r.ok);
    assert.deepEqual(
      [r.value.date, r.value.lastUpdated, r.value.lastUpdatedBy],
      ['2024-02-01T00:00:00.000Z', '2024-02-03T04:05:06.007Z', 'b'],
    );
    const bare = validateRegistration(base, 0, refs, NOW);
    assert.ok(bare.ok);
    assert.deepEqual([bare.value.date, bare.value.lastUpdated], [NOW, NOW]);
  });

  it('an event keeps created and lastUpdated, read as DHIS2 dates (no offset: UTC)', () => {
    const refs = {
      programs: new Map([
        ['prAAAAAAAAA', { programType: 'WITHOUT_REGISTRATION', stages: new Set(['psAAAAAAAAA']) }],
      ]),
      orgUnits: new Set(['ouAAAAAAAAA']),
      dataElements: new Map<string, string>(),
      optionCombos: new Set([COC]),
    };
    const event = (extra: Record<string, unknown>) =>
      validateEvent(
        {
          event: 'evAAAAAAAAA',
          program: 'prAAAAAAAAA',
          orgUnit: 'ouAAAAAAAAA',
          eventDate: '2024-03-01',
          ...extra,
        },
        refs,
        NOW,
        () => 'evBBBBBBBBB',
      ).value!;
    const kept = event({
      created: '2024-03-01T08:00:00.000',
      lastUpdated: '2024-03-01T09:00:00+01:00',
    });
    assert.deepEqual(
      [kept.created, kept.lastUpdated],
      ['2024-03-01T08:00:00.000Z', '2024-03-01T08:00:00.000Z'],
    );
    const stamped = event({ created: '2024-02-30T00:00:00.000' });
    assert.deepEqual([stamped.created, stamped.lastUpdated], [NOW, NOW]);
  });
});

describe('what a push sent, in one line', () => {
  const at = NOW;
  it('names the kind, the count, the pages and the change window', () => {
    assert.equal(
      describePushed({
        kind: 'dataValues',
        status: 'SENT',
        sent: 1000,
        pages: 10,
        after: 0,
        upTo: 1000,
        at,
      }),
      'data values: 1000 sent in 10 pages (changes 1–1000)',
    );
    assert.equal(
      describePushed({ kind: 'events', status: 'SENT', sent: 0, pages: 0, after: 7, upTo: 7, at }),
      'events: nothing to send (up to change 7)',
    );
    assert.equal(
      describePushed({
        kind: 'completeDataSetRegistrations',
        status: 'FAILED',
        sent: 100,
        pages: 1,
        after: 5,
        upTo: 300,
        at,
      }),
      'complete registrations: 100 sent before it stopped; changes 6–300 stay queued for the next run',
    );
  });
});
