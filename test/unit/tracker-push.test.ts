/**
 * The event push to a DHIS2 ≥ 2.42 central (src/domain/sync/tracker-push.ts, issue 16 §4): the
 * requests' query and bodies, how each answer is read (a report, a queued job, a WebMessage,
 * anything else), which rejections leave the events as wanted, and the failure text. Adds to the
 * cases in central-release.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describeTrackerFailure,
  GONE_CODES,
  onlyGone,
  readTrackerAnswer,
  trackerDeletion,
  trackerEvent,
  trackerQuery,
  type TrackerOutcome,
} from '../../src/domain/sync/tracker-push.ts';

const event = {
  event: 'EvTracker01',
  program: 'Prog0000001',
  programStage: 'Stage000001',
  orgUnit: 'OrgUnit0001',
  attributeOptionCombo: 'HllvX50cXC0',
  eventDate: '2020-03-04T00:00:00.000Z',
  status: 'COMPLETED',
  storedBy: 'admin',
  dataValues: [
    { dataElement: 'DataElem001', value: '5', providedElsewhere: true },
    { dataElement: 'DataElem002', value: 'x' },
  ],
  deleted: false,
  created: '2020-03-05T00:00:00.000Z',
  lastUpdated: '2020-03-06T00:00:00.000Z',
};

const report = (status: string, extra: Record<string, unknown> = {}) => ({
  status,
  validationReport: { errorReports: [], warningReports: [] },
  stats: { created: 1, updated: 0, deleted: 0, ignored: 0, total: 1 },
  ...extra,
});
const error = (errorCode: string, uid = 'EvTracker01') => ({
  errorCode,
  message: `${errorCode} for ${uid}`,
  trackerType: 'EVENT',
  uid,
});
const rejected = (...codes: string[]) =>
  readTrackerAnswer(
    409,
    report('ERROR', {
      validationReport: { errorReports: codes.map((c) => error(c)), warningReports: [] },
      stats: { created: 0, updated: 0, deleted: 0, ignored: codes.length, total: codes.length },
    }),
  );

describe('tracker requests', () => {
  for (const strategy of ['CREATE_AND_UPDATE', 'DELETE'] as const)
    it(`${strategy}: a synchronous import (async=false) so a rejected event stays queued`, () => {
      assert.equal(trackerQuery(strategy), `/api/tracker?async=false&importStrategy=${strategy}`);
    });

  it('the tracker view of an event carries every field DHIS2 2.43 sends, in its names', () => {
    assert.deepEqual(trackerEvent(event), {
      event: 'EvTracker01',
      status: 'COMPLETED',
      program: 'Prog0000001',
      programStage: 'Stage000001',
      orgUnit: 'OrgUnit0001',
      occurredAt: '2020-03-04T00:00:00.000Z',
      storedBy: 'admin',
      followUp: false,
      deleted: false,
      createdAt: '2020-03-05T00:00:00.000Z',
      updatedAt: '2020-03-06T00:00:00.000Z',
      attributeOptionCombo: 'HllvX50cXC0',
      dataValues: [
        { dataElement: 'DataElem001', value: '5', providedElsewhere: true },
        { dataElement: 'DataElem002', value: 'x', providedElsewhere: false },
      ],
      notes: [],
      relationships: [],
    });
  });

  it('a deleted event is sent as its uid only', () => {
    assert.deepEqual(trackerDeletion({ ...event, deleted: true }), { event: 'EvTracker01' });
  });
});

describe('reading a tracker answer', () => {
  const cases: [string, number, unknown, Partial<TrackerOutcome>][] = [
    ['OK', 200, report('OK'), { ok: true, status: 'OK', errors: [] }],
    ['WARNING with nothing ignored or rejected', 200, report('WARNING'), { ok: true }],
    [
      'WARNING with an error report',
      200,
      report('WARNING', {
        validationReport: { errorReports: [error('E1000')] },
      }),
      { ok: false, status: 'WARNING' },
    ],
    ['OK that ignored one', 200, report('OK', { stats: { ignored: 1 } }), { ok: false }],
    [
      'a report without stats',
      200,
      { status: 'OK', validationReport: { errorReports: [] } },
      { ok: true, stats: null },
    ],
    [
      'a report with a message',
      409,
      report('ERROR', { message: 'Validation failed' }),
      { ok: false, description: 'Validation failed' },
    ],
    [
      'a WebMessage that happens to carry stats is no report',
      200,
      { httpStatus: 'OK', status: 'OK', stats: { created: 1 }, message: 'fine' },
      { ok: false, description: 'HTTP 200 fine' },
    ],
    [
      'HTML from a proxy',
      502,
      '<html>Bad Gateway</html>',
      { ok: false, status: 'ERROR', description: 'HTTP 502 without an import report' },
    ],
    ['an unknown status', 200, report('PENDING'), { ok: false, status: 'PENDING' }],
  ];
  for (const [what, status, body, expect] of cases)
    it(`${what}: ${expect.ok ? 'pushed' : 'not pushed'}`, () => {
      const o = readTrackerAnswer(status, body);
      for (const [k, v] of Object.entries(expect))
        assert.deepEqual(o[k as keyof TrackerOutcome], v, `${k} of ${JSON.stringify(o)}`);
    });

  it('keeps only numeric stats and reads each error’s code, message and uid', () => {
    const o = readTrackerAnswer(
      409,
      report('ERROR', {
        stats: { created: 0, ignored: 2, total: '2', note: null },
        validationReport: {
          errorReports: [error('E1032', 'EvA'), { errorCode: 1082, message: null }],
        },
      }),
    );
    assert.deepEqual(o.stats, { created: 0, ignored: 2 });
    assert.deepEqual(o.errors, [
      { errorCode: 'E1032', message: 'E1032 for EvA', uid: 'EvA' },
      { errorCode: '1082', message: '', uid: '' },
    ]);
  });
});

describe('rejections that leave the events as wanted', () => {
  it('the codes are E1032 (does not exist) and E1082 (already deleted)', () => {
    assert.deepEqual([...GONE_CODES].sort(), ['E1032', 'E1082']);
  });

  const cases: [string[], boolean][] = [
    [['E1032'], true],
    [['E1082'], true],
    [['E1032', 'E1082'], true],
    [['E1032', 'E1000'], false],
    [['E1000'], false],
    [[], false],
  ];
  for (const [codes, gone] of cases)
    it(`ERROR with ${JSON.stringify(codes)}: ${gone ? 'only gone events' : 'a real failure'}`, () => {
      assert.equal(onlyGone(rejected(...codes)), gone);
    });

  it('a WARNING is never "only gone", whatever its errors', () => {
    const o = readTrackerAnswer(
      200,
      report('WARNING', { validationReport: { errorReports: [error('E1032')] } }),
    );
    assert.equal(onlyGone(o), false);
  });
});

describe('the failure text', () => {
  it('names at most `limit` errors and how many more', () => {
    const o = rejected('E1000', 'E1001', 'E1002');
    assert.equal(
      describeTrackerFailure('Pushing events: page 2 (3 rows)', o, 2),
      'Pushing events: page 2 (3 rows) failed: the central answered ERROR {"created":0,"updated":0,"deleted":0,"ignored":3,"total":3}. Errors: E1000 E1000 for EvTracker01 (EvTracker01); E1001 E1001 for EvTracker01 (EvTracker01) (and 1 more)',
    );
  });

  it('without a report: the status and what came instead', () => {
    const o = readTrackerAnswer(403, {
      httpStatus: 'Forbidden',
      httpStatusCode: 403,
      status: 'ERROR',
      message: 'Access is denied',
    });
    assert.equal(
      describeTrackerFailure('Pushing events', o),
      'Pushing events failed: the central answered ERROR (HTTP 403 Access is denied)',
    );
  });
});
