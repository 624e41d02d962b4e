/**
 * The tracked entity import use case (issue 16 §1: src/domain/data/import-tracker.ts) over the
 * in-memory stores, on DHIS2's own tracker test metadata: nested summaries, the same push twice,
 * deletions and their cascade, conflicts at each level, strategies and dryRun. No server, no
 * database; test/integration/tracked-entities.test.ts keeps the HTTP paths on both databases.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import type { DataDeps } from '../../src/domain/data/import-data.ts';
import { importTrackedEntities } from '../../src/domain/data/import-tracker.ts';
import type { TrackerStrategy } from '../../src/domain/data/tracker-plan.ts';
import { createMemoryDataStore } from '../support/fakes/memory-data-store.ts';
import { createImportWorld } from '../support/fakes/memory-import.ts';
import { uidSource } from '../support/generate-metadata.ts';
import { T, TRACKER_FIXTURE, eventDto, hasTrackerFixture, teiDto } from '../support/tracker.ts';

type Json = Record<string, unknown>;

async function trackerWorld() {
  const world = await createImportWorld();
  const report = await world.run(JSON.parse(readFileSync(TRACKER_FIXTURE, 'utf8')));
  assert.equal(report.stats.ignored, 0, JSON.stringify(report.typeReports).slice(0, 2000));
  const store = createMemoryDataStore(world.store);
  let t = Date.parse('2026-03-01T00:00:00.000Z');
  const deps: DataDeps = {
    store,
    clock: { now: () => new Date((t += 1000)) },
    newUid: uidSource(3),
  };
  const push = (teis: Json[], strategy: TrackerStrategy = 'SYNC', dryRun = false) =>
    importTrackedEntities(
      deps,
      { trackedEntityInstances: teis },
      {
        strategy,
        dryRun,
        href: (uid) => `https://central.example/api/trackedEntityInstances/${uid}`,
      },
    );
  const stored = async (uid: string, includeDeleted = false) =>
    (
      await store.queryTrackedEntities({
        uids: [uid],
        ouMode: 'ALL',
        includeDeleted,
        offset: 0,
        limit: null,
      })
    ).trees[0];
  return { store, push, stored };
}

describe('tracked entity import over the in-memory stores', { skip: !hasTrackerFixture }, () => {
  // One store for all tests (the fixture takes a while to import): each test uses its own uids.
  let world: Awaited<ReturnType<typeof trackerWorld>>;
  before(async () => {
    world = await trackerWorld();
  });
  it('stores a 2.41 push with nested ImportSummaries and an href per tracked entity', async () => {
    const w = world;
    const tei = teiDto('TeiAnnPers1', 'EnrAnnPers1', [
      eventDto('EvtAnnVis01', 'EnrAnnPers1', 'TeiAnnPers1'),
    ]);
    const top = await w.push([tei]);
    assert.equal(top.responseType, 'ImportSummaries');
    assert.equal(top.status, 'SUCCESS');
    assert.deepEqual(
      [top.imported, top.updated, top.deleted, top.ignored, top.total],
      [1, 0, 0, 0, 1],
    );
    const one = top.importSummaries[0]!;
    assert.equal(one.reference, 'TeiAnnPers1');
    assert.equal(one.href, 'https://central.example/api/trackedEntityInstances/TeiAnnPers1');
    const enrollment = one.enrollments!.importSummaries[0]!;
    assert.equal(enrollment.reference, 'EnrAnnPers1');
    assert.equal(enrollment.importCount.imported, 1);
    assert.equal(enrollment.events!.importSummaries[0]!.reference, 'EvtAnnVis01');
    assert.equal(enrollment.events!.importSummaries[0]!.importCount.imported, 1);
    const tree = await w.stored('TeiAnnPers1');
    assert.equal(tree?.trackedEntity.orgUnit, T.ou);
    assert.deepEqual(
      tree.enrollments.map((e) => e.program),
      [T.program],
    );
    assert.deepEqual(
      tree.events.map((e) => e.uid),
      ['EvtAnnVis01'],
    );
  });

  it('the same push twice changes nothing: counted as updated (DHIS2), no new change number', async () => {
    const w = world;
    const tei = teiDto('TeiTwice001', 'EnrTwice001', [
      eventDto('EvtTwice001', 'EnrTwice001', 'TeiTwice001'),
    ]);
    await w.push([tei]);
    const first = await w.stored('TeiTwice001');
    const seq = await w.store.committedSeq();
    const reordered = teiDto('TeiTwice001', 'EnrTwice001', [
      eventDto('EvtTwice001', 'EnrTwice001', 'TeiTwice001', {
        dataValues: [...(eventDto('x', 'y', 'z').dataValues as Json[])].reverse(),
      }),
    ]);
    const again = await w.push([reordered]);
    assert.equal(again.updated, 1);
    const enr = again.importSummaries[0]!.enrollments!.importSummaries[0]!;
    assert.equal(enr.importCount.updated, 1);
    assert.equal(enr.events!.importSummaries[0]!.importCount.updated, 1);
    assert.equal(await w.store.committedSeq(), seq);
    assert.deepEqual(await w.stored('TeiTwice001'), first);
  });

  it('deletes softly and cascades; a second delete is ignored; a deleted TEI cannot come back', async () => {
    const w = world;
    const tei = teiDto('TeiDel00001', 'EnrDel00001', [
      eventDto('EvtDel00001', 'EnrDel00001', 'TeiDel00001'),
    ]);
    await w.push([tei]);
    const del = await w.push([{ ...tei, deleted: true }]);
    const one = del.importSummaries[0]!;
    assert.equal(one.importCount.deleted, 1);
    assert.equal(one.description, 'Deletion of tracked entity instance TeiDel00001 was successful');
    assert.equal(await w.stored('TeiDel00001'), undefined);
    const gone = await w.stored('TeiDel00001', true);
    assert.equal(gone?.trackedEntity.deleted, true);
    assert.equal(gone.enrollments[0]!.deleted, true);
    assert.equal(gone.events[0]!.deleted, true);

    const seq = await w.store.committedSeq();
    const again = await w.push([{ ...tei, deleted: true }]);
    assert.equal(again.importSummaries[0]!.importCount.ignored, 1);
    assert.equal(
      again.importSummaries[0]!.description,
      'Tracked entity instance TeiDel00001 cannot be deleted as it is not present in the system',
    );
    assert.equal(await w.store.committedSeq(), seq);
    const back = await w.push([tei]);
    assert.equal(back.status, 'ERROR');
    assert.equal(
      back.importSummaries[0]!.description,
      'Tracked entity instance TeiDel00001 already exists or was deleted earlier',
    );
  });

  it('deletes an enrollment or an event of a live TEI (SYNC deleted flags)', async () => {
    const w = world;
    const events = [
      eventDto('EvtPart0001', 'EnrPart0001', 'TeiPart0001'),
      eventDto('EvtPart0002', 'EnrPart0001', 'TeiPart0001', { programStage: T.otherStage }),
    ];
    await w.push([teiDto('TeiPart0001', 'EnrPart0001', events)]);
    const r = await w.push([
      teiDto('TeiPart0001', 'EnrPart0001', [events[0]!, { ...events[1]!, deleted: true }]),
    ]);
    const evs = r.importSummaries[0]!.enrollments!.importSummaries[0]!.events!;
    assert.deepEqual(
      evs.importSummaries.map((e) => e.importCount),
      [
        { imported: 0, updated: 1, ignored: 0, deleted: 0 },
        { imported: 0, updated: 0, ignored: 0, deleted: 1 },
      ],
    );
    const tree = await w.stored('TeiPart0001');
    assert.deepEqual(
      tree?.events.filter((e) => !e.deleted).map((e) => e.uid),
      ['EvtPart0001'],
    );
  });

  it('answers conflicts as DHIS2 at each level; valid siblings are stored', async () => {
    const w = world;
    const good = teiDto('TeiOkay0001', 'EnrOkay0001', []);
    const badTei = teiDto('TeiBad00001', 'EnrBad00001', [], {
      trackedEntityType: 'NoSuchType1',
      orgUnit: 'NoSuchOrgU1',
      attributes: [
        { attribute: 'NoSuchAttr1', value: 'x' },
        { attribute: T.weight, value: 'heavy' },
      ],
    });
    const r = await w.push([good, badTei]);
    assert.equal(r.status, 'ERROR');
    assert.deepEqual([r.imported, r.ignored], [1, 1]);
    const bad = r.importSummaries[1]!;
    assert.equal(bad.status, 'ERROR');
    assert.equal(bad.reference, 'TeiBad00001');
    assert.deepEqual(
      bad.conflicts.map((c) => c.object),
      ['TrackedEntity.trackedEntityType', 'Attribute.attribute', 'Attribute.value', 'TeiBad00001'],
    );
    assert.equal(bad.conflicts[0]!.value, 'Invalid trackedEntityType NoSuchType1');
    assert.equal(bad.conflicts[3]!.value, 'Invalid org unit ID: NoSuchOrgU1');
    assert.ok(await w.stored('TeiOkay0001'));
    assert.equal(await w.stored('TeiBad00001'), undefined);

    const nested = teiDto('TeiNest0001', 'EnrNest0001', [
      eventDto('EvtNest0001', 'EnrNest0001', 'TeiNest0001', { programStage: 'NoSuchStag1' }),
      eventDto('EvtNest0002', 'EnrNest0001', 'TeiNest0001', {
        programStage: T.otherStage,
        dataValues: [],
      }),
    ]);
    const n = await w.push([nested]);
    assert.equal(n.status, 'SUCCESS', 'an error below a tracked entity leaves the top level');
    const evs = n.importSummaries[0]!.enrollments!.importSummaries[0]!.events!;
    assert.equal(evs.status, 'ERROR');
    assert.equal(
      evs.importSummaries[0]!.description,
      'Event.programStage does not point to a valid programStage: NoSuchStag1',
    );
    assert.equal(evs.importSummaries[1]!.importCount.imported, 1);

    const anonymous = teiDto('TeiAnon0001', 'EnrAnon0001', [], {});
    (anonymous.enrollments as Json[])[0]!.program = T.eventProgram;
    const enr = (await w.push([anonymous])).importSummaries[0]!.enrollments!.importSummaries[0]!;
    assert.equal(enr.status, 'ERROR');
    assert.equal(
      enr.description,
      `Provided program ${T.eventProgram} is a program without registration. An enrollment cannot be created into program without registration.`,
    );
    const dup = await w.push([teiDto('TeiOkay0001', 'EnrOkay0002', [])]);
    assert.equal(
      dup.importSummaries[0]!.enrollments!.importSummaries[0]!.description,
      `TrackedEntity TeiOkay0001 already has an active enrollment in program ${T.program}`,
    );
  });

  it('honours CREATE, UPDATE, DELETE and dryRun', async () => {
    const w = world;
    const tei = teiDto('TeiStrat001', 'EnrStrat001', []);
    const seq = await w.store.committedSeq();
    const dry = await w.push([tei], 'CREATE', true);
    assert.equal(dry.imported, 1);
    assert.equal(await w.store.committedSeq(), seq);
    assert.equal(await w.stored('TeiStrat001'), undefined);
    const update = await w.push([tei], 'UPDATE');
    assert.equal(update.status, 'ERROR');
    assert.equal(update.importSummaries[0]!.conflicts[0]!.object, 'TrackedEntity');
    assert.equal((await w.push([tei], 'CREATE')).imported, 1);
    assert.equal((await w.push([tei], 'CREATE')).status, 'ERROR');
    const del = await w.push([{ trackedEntityInstance: 'TeiStrat001' }], 'DELETE');
    assert.equal(del.deleted, 1);
    assert.equal(await w.stored('TeiStrat001'), undefined);
  });
});
