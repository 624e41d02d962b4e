/**
 * Conformance of the DataStore's tracker part (issue 16 §1, src/domain/data/tracker-store.ts):
 * what the tracker plan relies on, run on every backend by store-conformance.test.ts and on the
 * fake by test/unit/store-conformance-memory.test.ts. Each test uses its own uids; the tests share
 * one store.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { TrackerWrites } from '../../src/domain/data/tracker-store.ts';
import type {
  EnrollmentEventRow,
  EnrollmentRow,
  TrackedEntityRow,
} from '../../src/domain/data/tracker.ts';
import type { DataStore } from '../../src/domain/data/data-store.ts';
import type { Get } from './store-conformance.ts';

const at = '2024-03-01T10:00:00.000Z';
const tei = (uid: string, extra: Partial<TrackedEntityRow> = {}): TrackedEntityRow => ({
  uid,
  trackedEntityType: 'ConfTeType1',
  orgUnit: 'ConfOrgUni1',
  payload: {
    trackedEntityInstance: uid,
    attributes: [{ attribute: 'ConfAttr001', value: 'Åsa ☃' }],
  },
  deleted: false,
  created: at,
  lastUpdated: at,
  ...extra,
});
const enrollment = (
  uid: string,
  owner: string,
  extra: Partial<EnrollmentRow> = {},
): EnrollmentRow => ({
  uid,
  trackedEntity: owner,
  program: 'ConfProgrm1',
  orgUnit: 'ConfOrgUni1',
  status: 'ACTIVE',
  enrollmentDate: '2024-03-01T00:00:00.000Z',
  incidentDate: null,
  payload: { enrollment: uid, notes: [{ value: 'n', nested: { deep: [1, 2.5, null] } }] },
  deleted: false,
  created: at,
  lastUpdated: at,
  ...extra,
});
const event = (
  uid: string,
  owner: string,
  extra: Partial<EnrollmentEventRow> = {},
): EnrollmentEventRow => ({
  uid,
  enrollment: owner,
  program: 'ConfProgrm1',
  programStage: 'ConfStage01',
  orgUnit: 'ConfOrgUni1',
  status: 'SCHEDULE',
  eventDate: null,
  dueDate: '2024-03-05T00:00:00.000Z',
  attributeOptionCombo: 'HllvX50cXC0',
  payload: { event: uid, dataValues: [{ dataElement: 'ConfDataEl1', value: '1' }] },
  deleted: false,
  created: at,
  lastUpdated: at,
  ...extra,
});
const none = (): TrackerWrites => ({ trackedEntities: [], enrollments: [], events: [] });
const keys = (t: string[], e: string[] = [], v: string[] = []) => ({
  trackedEntities: t,
  enrollments: e,
  events: v,
});

export function registerTrackerStoreTests(store: Get<DataStore>) {
  const write = (writes: TrackerWrites, dryRun = false) =>
    store().writeTracker(keys([]), () => ({ writes }), dryRun);

  it('writes the three levels and reads them back as written, numbering each row', async () => {
    const before = await store().committedSeq();
    const rows = {
      trackedEntities: [tei('ConfTei0001')],
      enrollments: [enrollment('ConfEnr0001', 'ConfTei0001')],
      events: [event('ConfEvt0001', 'ConfEnr0001')],
    };
    await write(rows);
    assert.equal(await store().committedSeq(), before + 3);
    const seen = await store().writeTracker(
      keys(['ConfTei0001']),
      (state) => ({ writes: none(), state }),
      true,
    );
    assert.deepEqual(seen.state.trackedEntities.get('ConfTei0001'), rows.trackedEntities[0]);
    assert.deepEqual(seen.state.enrollments.get('ConfEnr0001'), rows.enrollments[0]);
    assert.deepEqual(seen.state.events.get('ConfEvt0001'), rows.events[0]);
  });

  it('loads the named rows plus every enrollment of the named entities and every event of those', async () => {
    await write({
      trackedEntities: [tei('ConfTei0002'), tei('ConfTei0003')],
      enrollments: [
        enrollment('ConfEnr0002', 'ConfTei0002'),
        enrollment('ConfEnr0003', 'ConfTei0003'),
      ],
      events: [
        event('ConfEvt0002', 'ConfEnr0002'),
        event('ConfEvt0003', 'ConfEnr0003', { deleted: true }),
      ],
    });
    const seen = await store().writeTracker(
      keys(['ConfTei0002', 'ConfNoSuch1'], [], ['ConfEvt0003']),
      (state) => ({ writes: none(), state }),
      true,
    );
    assert.deepEqual([...seen.state.trackedEntities.keys()], ['ConfTei0002']);
    assert.deepEqual([...seen.state.enrollments.keys()], ['ConfEnr0002']);
    assert.deepEqual([...seen.state.events.keys()].sort(), ['ConfEvt0002', 'ConfEvt0003']);
    assert.equal(seen.state.events.get('ConfEvt0003')!.deleted, true);
  });

  it('replaces a row in place with a new number; dryRun and an empty plan take none', async () => {
    await write({ trackedEntities: [tei('ConfTei0004')], enrollments: [], events: [] });
    const seq = await store().committedSeq();
    await write(
      {
        trackedEntities: [tei('ConfTei0004', { orgUnit: 'ConfOrgUni2' })],
        enrollments: [],
        events: [],
      },
      true,
    );
    await write(none());
    assert.equal(await store().committedSeq(), seq);
    await write({
      trackedEntities: [tei('ConfTei0004', { orgUnit: 'ConfOrgUni2', deleted: true })],
      enrollments: [],
      events: [],
    });
    assert.equal(await store().committedSeq(), seq + 1);
    const { trees } = await store().queryTrackedEntities({
      uids: ['ConfTei0004'],
      ouMode: 'ALL',
      includeDeleted: true,
      offset: 0,
      limit: null,
    });
    assert.equal(trees[0]!.trackedEntity.orgUnit, 'ConfOrgUni2');
    assert.equal(trees[0]!.trackedEntity.deleted, true);
  });

  it('rolls back a whole push when its plan throws', async () => {
    const seq = await store().committedSeq();
    await assert.rejects(
      store().writeTracker(
        keys([]),
        () => {
          throw new Error('plan failed');
        },
        false,
      ),
      /plan failed/,
    );
    assert.equal(await store().committedSeq(), seq);
  });

  it('queries by type, org unit, program, uids, deleted, with a total and pages ordered by uid', async () => {
    await write({
      trackedEntities: [
        tei('ConfQry0001', { trackedEntityType: 'ConfQType01' }),
        tei('ConfQry0002', { trackedEntityType: 'ConfQType01', orgUnit: 'ConfQOrgU01' }),
        tei('ConfQry0003', { trackedEntityType: 'ConfQType01', deleted: true }),
      ],
      enrollments: [enrollment('ConfQEnr001', 'ConfQry0002', { program: 'ConfQProg01' })],
      events: [],
    });
    const q = (over: Partial<Parameters<DataStore['queryTrackedEntities']>[0]>) =>
      store().queryTrackedEntities({
        trackedEntityType: 'ConfQType01',
        ouMode: 'ALL',
        includeDeleted: false,
        offset: 0,
        limit: null,
        ...over,
      });
    const uids = async (over: Parameters<typeof q>[0]) =>
      (await q(over)).trees.map((t) => t.trackedEntity.uid);
    assert.deepEqual(await uids({}), ['ConfQry0001', 'ConfQry0002']);
    assert.deepEqual(await uids({ includeDeleted: true }), [
      'ConfQry0001',
      'ConfQry0002',
      'ConfQry0003',
    ]);
    assert.deepEqual(await uids({ orgUnits: ['ConfQOrgU01'], ouMode: 'SELECTED' }), [
      'ConfQry0002',
    ]);
    assert.deepEqual(await uids({ program: 'ConfQProg01' }), ['ConfQry0002']);
    assert.deepEqual(await uids({ uids: ['ConfQry0001', 'ConfQry0003'] }), ['ConfQry0001']);
    const page = await q({ offset: 1, limit: 1 });
    assert.deepEqual(
      [page.trees.map((t) => t.trackedEntity.uid), page.total],
      [['ConfQry0002'], 2],
    );
    const tree = (await q({ uids: ['ConfQry0002'] })).trees[0]!;
    assert.deepEqual(
      tree.enrollments.map((e) => e.uid),
      ['ConfQEnr001'],
    );
  });

  it('refuses an enrollment without its tracked entity, writing nothing of the push', async () => {
    const seq = await store().committedSeq();
    await assert.rejects(
      write({
        trackedEntities: [tei('ConfFk00001')],
        enrollments: [enrollment('ConfFkEnr01', 'ConfNoSuch2')],
        events: [],
      }),
    );
    await assert.rejects(
      write({
        trackedEntities: [],
        enrollments: [],
        events: [event('ConfFkEvt01', 'ConfNoSuch3')],
      }),
    );
    assert.equal(await store().committedSeq(), seq);
    const { total } = await store().queryTrackedEntities({
      uids: ['ConfFk00001'],
      ouMode: 'ALL',
      includeDeleted: true,
      offset: 0,
      limit: null,
    });
    assert.equal(total, 0);
  });

  it('keeps the first created of a row replaced by a later push', async () => {
    await write({ trackedEntities: [tei('ConfCr00001')], enrollments: [], events: [] });
    const later = '2025-01-01T00:00:00.000Z';
    await write({
      trackedEntities: [tei('ConfCr00001', { created: later, lastUpdated: later })],
      enrollments: [],
      events: [],
    });
    const seen = await store().writeTracker(
      keys(['ConfCr00001']),
      (state) => ({ writes: none(), state }),
      true,
    );
    const row = seen.state.trackedEntities.get('ConfCr00001');
    assert.equal(row?.created, at);
    assert.equal(row.lastUpdated, later);
  });
}
