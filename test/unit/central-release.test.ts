/**
 * The central's release as a local reads it from `/api/system/info` (issue 16 §4), and the
 * tracker ImportReport a 2.42+ central answers to the event push (contract §11.3, §17).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CentralInfo } from '../../src/domain/sync/central-client.ts';
import {
  describeCentral,
  eventApi,
  parseRelease,
  releaseLine,
} from '../../src/domain/sync/central-release.ts';
import {
  describeTrackerFailure,
  onlyGone,
  readTrackerAnswer,
  trackerEvent,
} from '../../src/domain/sync/tracker-push.ts';

const info = (version: string | null, metasync = false): CentralInfo => ({
  version,
  revision: null,
  metasync,
});

describe('releases', () => {
  const cases: [string, [number, number, number, number] | null, number | null, string][] = [
    ['2.42.1', [2, 42, 1, 0], 42, 'TRACKER'],
    ['2.43.0', [2, 43, 0, 0], 43, 'TRACKER'],
    ['2.41.9.1', [2, 41, 9, 1], 41, 'EVENTS'],
    ['2.40.5-SNAPSHOT', [2, 40, 5, 0], 40, 'EVENTS'],
    ['2.39.10.1', [2, 39, 10, 1], 39, 'EVENTS'],
    ['2.42.0-EMBARGOED', [2, 42, 0, 0], 42, 'TRACKER'],
    ['2.43', [2, 43, 0, 0], 43, 'TRACKER'],
    [' v2.42.3.1 ', [2, 42, 3, 1], 42, 'TRACKER'],
    ['2.41.1-rc2 (build 5)', [2, 41, 1, 0], 41, 'EVENTS'],
    ['42.1.0', [42, 1, 0, 0], 42, 'TRACKER'],
    ['1.7', [1, 7, 0, 0], null, 'EVENTS'],
    ['master', null, null, 'EVENTS'],
    ['', null, null, 'EVENTS'],
  ];
  for (const [version, parts, line, api] of cases)
    it(`${JSON.stringify(version)} → line ${line}, events via ${api}`, () => {
      const r = parseRelease(version);
      assert.deepEqual(r && [r.major, r.minor, r.patch, r.hotfix], parts);
      assert.equal(releaseLine(version), line);
      assert.equal(eventApi(info(version)), api);
    });

  it('an unknown release and a metasync central take /api/events', () => {
    assert.equal(eventApi(info(null)), 'EVENTS');
    assert.equal(eventApi(info('2.43.0', true)), 'EVENTS');
    assert.match(
      describeCentral({ ...info(null), unavailable: 'HTTP 404' }),
      /did not tell its release \(\/api\/system\/info: HTTP 404\)/,
    );
    assert.equal(
      describeCentral(info('2.43.0')),
      'the central runs DHIS2 2.43.0; events go to /api/tracker',
    );
    assert.equal(
      describeCentral(info('2.41.0', true)),
      'the central is metasync, following DHIS2 2.41.0',
    );
    assert.match(describeCentral(info('master')), /a release this instance cannot read/);
  });
});

describe('describeCentral: the ping step’s phrase', () => {
  const cases: [CentralInfo, string][] = [
    [info('2.41.0'), 'the central runs DHIS2 2.41.0'],
    [info('2.42.1'), 'the central runs DHIS2 2.42.1; events go to /api/tracker'],
    [info('2.43.0', true), 'the central is metasync, following DHIS2 2.43.0'],
    [info('master', true), 'the central is metasync, following DHIS2 master'],
    [
      info('master'),
      'the central runs DHIS2 master, a release this instance cannot read; its data is pushed as to DHIS2 2.41 and earlier',
    ],
    [
      info(null),
      'the central did not tell its release (/api/system/info: no version); its data is pushed as to DHIS2 2.41 and earlier',
    ],
    [
      { ...info(null), unavailable: 'not JSON' },
      'the central did not tell its release (/api/system/info: not JSON); its data is pushed as to DHIS2 2.41 and earlier',
    ],
  ];
  for (const [central, phrase] of cases)
    it(`${JSON.stringify(central.version)}${central.metasync ? ' (metasync)' : ''}: ${phrase}`, () => {
      assert.equal(describeCentral(central), phrase);
    });
});

describe('tracker answers', () => {
  const report = (status: string, extra: Record<string, unknown> = {}) => ({
    status,
    validationReport: { errorReports: [], warningReports: [] },
    stats: { created: 1, updated: 0, deleted: 0, ignored: 0, total: 1 },
    ...extra,
  });
  const e1032 = (uid: string) => ({
    message: `Event: \`${uid}\` do not exist.`,
    errorCode: 'E1032',
    trackerType: 'EVENT',
    uid,
  });

  it('OK with nothing ignored is success', () => {
    const o = readTrackerAnswer(200, report('OK'));
    assert.equal(o.ok, true);
    assert.deepEqual(o.stats, { created: 1, updated: 0, deleted: 0, ignored: 0, total: 1 });
  });

  it('ERROR (409) with error reports fails and names them', () => {
    const o = readTrackerAnswer(
      409,
      report('ERROR', {
        validationReport: { errorReports: [e1032('EvAbsent001')], warningReports: [] },
        stats: { created: 0, updated: 0, deleted: 0, ignored: 1, total: 1 },
      }),
    );
    assert.equal(o.ok, false);
    assert.equal(onlyGone(o), true);
    assert.equal(
      describeTrackerFailure('Pushing events: page 1 (1 rows) (deletions)', o),
      'Pushing events: page 1 (1 rows) (deletions) failed: the central answered ERROR {"created":0,"updated":0,"deleted":0,"ignored":1,"total":1}. Errors: E1032 Event: `EvAbsent001` do not exist. (EvAbsent001)',
    );
  });

  it('an import that ignored something is not a success, whatever its status', () => {
    const o = readTrackerAnswer(200, report('WARNING', { stats: { ignored: 1, total: 1 } }));
    assert.equal(o.ok, false);
    assert.equal(onlyGone(o), false);
  });

  it('a job queued instead of a report, a WebMessage or HTML is a failure that says what came', () => {
    const job = readTrackerAnswer(200, {
      httpStatus: 'OK',
      httpStatusCode: 200,
      status: 'OK',
      message: 'Tracker job added',
      response: { responseType: 'TrackerJob', id: 'Job12345678' },
    });
    assert.equal(job.ok, false);
    assert.match(job.description ?? '', /queued the import as job Job12345678/);
    const forbidden = readTrackerAnswer(403, {
      httpStatus: 'Forbidden',
      httpStatusCode: 403,
      status: 'ERROR',
      message: 'Access is denied',
    });
    assert.equal(forbidden.ok, false);
    assert.equal(forbidden.description, 'HTTP 403 Access is denied');
    assert.equal(readTrackerAnswer(502, null).ok, false);
  });

  it('builds the tracker view of an event', () => {
    const e = trackerEvent({
      event: 'EvTracker01',
      program: 'Prog0000001',
      programStage: 'Stage000001',
      orgUnit: 'OrgUnit0001',
      attributeOptionCombo: 'HllvX50cXC0',
      eventDate: '2020-03-04T00:00:00.000Z',
      status: 'ACTIVE',
      storedBy: 'admin',
      dataValues: [{ dataElement: 'DataElem001', value: '5' }],
      deleted: false,
      created: '2020-03-05T00:00:00.000Z',
      lastUpdated: '2020-03-06T00:00:00.000Z',
    });
    assert.equal(e.occurredAt, '2020-03-04T00:00:00.000Z');
    assert.equal(e.eventDate, undefined);
    assert.deepEqual(e.dataValues, [
      { dataElement: 'DataElem001', value: '5', providedElsewhere: false },
    ]);
  });
});
