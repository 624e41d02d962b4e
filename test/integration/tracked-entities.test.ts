/**
 * Tracked entity pushes from DHIS2 ≤ 2.41 locals (issue 16 §1), over real HTTP on both backends:
 * `POST /api/trackedEntityInstances?strategy=SYNC` with bodies in DHIS2 2.41's DTO shape, on
 * DHIS2's own tracker test metadata. Answered with DHIS2's nested ImportSummaries, stored,
 * exported again as sent; the same push twice changes nothing; deletions; conflicts; authority.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { backends } from '../support/databases.ts';
import { localVerdict } from '../support/dhis2-summary-parse.ts';
import { dataSeq } from '../support/data.ts';
import { useServer, type TestServer } from '../support/server.ts';
import {
  T,
  eventDto,
  hasTrackerFixture,
  importTrackerMetadata,
  postTeis,
  teiDto,
  withoutServerFields,
} from '../support/tracker.ts';
import { fetchJson } from '../support/versions.ts';

type Json = Record<string, unknown>;

const getTei = (server: TestServer, uid: string) =>
  fetchJson<Json>(server, `/api/trackedEntityInstances/${uid}`);

for (const backend of await backends()) {
  describe(`tracked entities on ${backend}`, { skip: !hasTrackerFixture }, () => {
    const server = useServer(backend);
    before(() => importTrackerMetadata(server));

    it('accepts a 2.41 TEI push, answers nested ImportSummaries, exports it again as sent', async () => {
      const tei = teiDto('TeiAnnPers1', 'EnrAnnPers1', [
        eventDto('EvtAnnVis01', 'EnrAnnPers1', 'TeiAnnPers1'),
      ]);
      const r = await postTeis(server, [tei]);
      assert.equal(r.status, 200, r.text);
      assert.equal(localVerdict(r.status, r.text, 'ImportSummaries').ok, true);
      const top = r.summaries;
      assert.equal(top.responseType, 'ImportSummaries');
      assert.equal(top.status, 'SUCCESS');
      assert.deepEqual(
        [top.imported, top.updated, top.deleted, top.ignored, top.total],
        [1, 0, 0, 0, 1],
      );
      const one = top.importSummaries[0]!;
      assert.equal(one.reference, 'TeiAnnPers1');
      assert.match(one.href ?? '', /\/api\/trackedEntityInstances\/TeiAnnPers1$/);
      assert.equal(one.importCount.imported, 1);
      const enrollment = one.enrollments!.importSummaries[0]!;
      assert.equal(enrollment.reference, 'EnrAnnPers1');
      assert.equal(enrollment.importCount.imported, 1);
      assert.equal(enrollment.events!.importSummaries[0]!.reference, 'EvtAnnVis01');
      assert.equal(enrollment.events!.importSummaries[0]!.importCount.imported, 1);

      const got = await getTei(server, 'TeiAnnPers1');
      assert.equal(got.status, 200, got.text);
      assert.deepEqual(withoutServerFields(got.body), withoutServerFields(tei));
      for (const level of [got.body, (got.body.enrollments as Json[])[0]!])
        assert.match(String(level.lastUpdated), /^\d{4}-\d\d-\d\dT/);

      const list = await fetchJson<{ trackedEntityInstances: Json[] }>(
        server,
        `/api/trackedEntityInstances?ou=${T.ou}&program=${T.program}`,
      );
      assert.deepEqual(
        list.body.trackedEntityInstances.map((t) => t.trackedEntityInstance),
        ['TeiAnnPers1'],
      );
      const elsewhere = await fetchJson<{ trackedEntityInstances: Json[] }>(
        server,
        `/api/trackedEntityInstances?ou=${T.childOu}`,
      );
      assert.deepEqual(elsewhere.body.trackedEntityInstances, []);
    });

    it('the same push twice changes nothing: counted as updated (DHIS2), no new change number', async () => {
      const tei = teiDto('TeiTwice001', 'EnrTwice001', [
        eventDto('EvtTwice001', 'EnrTwice001', 'TeiTwice001'),
      ]);
      assert.equal((await postTeis(server, [tei])).status, 200);
      const first = await getTei(server, 'TeiTwice001');
      const seq = await dataSeq(server);
      // A local's Java set of data values comes out in another order: still the same content.
      const reordered = teiDto('TeiTwice001', 'EnrTwice001', [
        eventDto('EvtTwice001', 'EnrTwice001', 'TeiTwice001', {
          dataValues: [...(eventDto('x', 'y', 'z').dataValues as Json[])].reverse(),
        }),
      ]);
      const again = await postTeis(server, [reordered]);
      assert.equal(again.status, 200, again.text);
      assert.equal(again.summaries.updated, 1);
      const enr = again.summaries.importSummaries[0]!.enrollments!.importSummaries[0]!;
      assert.equal(enr.importCount.updated, 1);
      assert.equal(enr.events!.importSummaries[0]!.importCount.updated, 1);
      assert.equal(await dataSeq(server), seq);
      assert.deepEqual((await getTei(server, 'TeiTwice001')).body, first.body);
    });

    it('updates what changed: attribute values merge as DHIS2 (sent ones replace, others stay)', async () => {
      const events = [eventDto('EvtUpd00001', 'EnrUpd00001', 'TeiUpd00001')];
      await postTeis(server, [teiDto('TeiUpd00001', 'EnrUpd00001', events)]);
      const seq = await dataSeq(server);
      const changed = teiDto(
        'TeiUpd00001',
        'EnrUpd00001',
        [
          ...events,
          eventDto('EvtUpd00002', 'EnrUpd00001', 'TeiUpd00001', {
            programStage: T.otherStage,
            dataValues: [],
          }),
        ],
        {
          attributes: [
            {
              attribute: T.firstName,
              value: 'Anna',
              valueType: 'TEXT',
              displayName: 'TA First name',
            },
          ],
        },
      );
      const r = await postTeis(server, [changed]);
      assert.equal(r.status, 200, r.text);
      const evs = r.summaries.importSummaries[0]!.enrollments!.importSummaries[0]!.events!;
      assert.deepEqual(
        evs.importSummaries.map((e) => [
          e.reference,
          e.importCount.imported,
          e.importCount.updated,
        ]),
        [
          ['EvtUpd00001', 0, 1],
          ['EvtUpd00002', 1, 0],
        ],
      );
      // The tracked entity and the new event changed; the enrollment and the first event did not.
      assert.equal(await dataSeq(server), seq + 2);
      const got = (await getTei(server, 'TeiUpd00001')).body;
      const values = Object.fromEntries(
        (got.attributes as Json[]).map((a) => [a.attribute, a.value]),
      );
      assert.deepEqual(values, { [T.firstName]: 'Anna', [T.weight]: '61.5' });
      assert.equal(((got.enrollments as Json[])[0]!.events as Json[]).length, 2);
    });

    it('deletes softly and cascades; a second delete is ignored; a deleted TEI cannot come back', async () => {
      const tei = teiDto('TeiDel00001', 'EnrDel00001', [
        eventDto('EvtDel00001', 'EnrDel00001', 'TeiDel00001'),
      ]);
      await postTeis(server, [tei]);
      const del = await postTeis(server, [{ ...tei, deleted: true }]);
      assert.equal(del.status, 200, del.text);
      assert.equal(localVerdict(del.status, del.text, 'ImportSummaries').ok, true);
      const one = del.summaries.importSummaries[0]!;
      assert.equal(one.importCount.deleted, 1);
      assert.equal(
        one.description,
        'Deletion of tracked entity instance TeiDel00001 was successful',
      );
      assert.equal((await getTei(server, 'TeiDel00001')).status, 404);
      const kept = await fetchJson<{ trackedEntityInstances: Json[] }>(
        server,
        '/api/trackedEntityInstances?trackedEntityInstance=TeiDel00001&includeDeleted=true',
      );
      const [gone] = kept.body.trackedEntityInstances;
      assert.equal(gone!.deleted, true);
      const enrollment = (gone!.enrollments as Json[])[0]!;
      assert.equal(enrollment.deleted, true);
      assert.equal((enrollment.events as Json[])[0]!.deleted, true);

      const seq = await dataSeq(server);
      const again = await postTeis(server, [{ ...tei, deleted: true }]);
      assert.equal(again.summaries.importSummaries[0]!.importCount.ignored, 1);
      assert.equal(
        again.summaries.importSummaries[0]!.description,
        'Tracked entity instance TeiDel00001 cannot be deleted as it is not present in the system',
      );
      assert.equal(await dataSeq(server), seq);
      const back = await postTeis(server, [tei]);
      assert.equal(back.status, 409, back.text);
      assert.equal(
        back.summaries.importSummaries[0]!.description,
        'Tracked entity instance TeiDel00001 already exists or was deleted earlier',
      );
      assert.equal(localVerdict(back.status, back.text, 'ImportSummaries').ok, false);
    });

    it('deletes an enrollment or an event of a live TEI (SYNC deleted flags)', async () => {
      const events = [
        eventDto('EvtPart0001', 'EnrPart0001', 'TeiPart0001'),
        eventDto('EvtPart0002', 'EnrPart0001', 'TeiPart0001', { programStage: T.otherStage }),
      ];
      await postTeis(server, [teiDto('TeiPart0001', 'EnrPart0001', events)]);
      const r = await postTeis(server, [
        teiDto('TeiPart0001', 'EnrPart0001', [events[0]!, { ...events[1]!, deleted: true }]),
      ]);
      const evs = r.summaries.importSummaries[0]!.enrollments!.importSummaries[0]!.events!;
      assert.deepEqual(
        evs.importSummaries.map((e) => e.importCount),
        [
          { imported: 0, updated: 1, ignored: 0, deleted: 0 },
          { imported: 0, updated: 0, ignored: 0, deleted: 1 },
        ],
      );
      const got = (await getTei(server, 'TeiPart0001')).body;
      const shown = ((got.enrollments as Json[])[0]!.events as Json[]).map((e) => e.event);
      assert.deepEqual(shown, ['EvtPart0001']);
    });

    it('answers conflicts as DHIS2 at each level; nested errors fail the local, valid siblings are stored', async () => {
      const good = teiDto('TeiOkay0001', 'EnrOkay0001', []);
      const badTei = teiDto('TeiBad00001', 'EnrBad00001', [], {
        trackedEntityType: 'NoSuchType1',
        orgUnit: 'NoSuchOrgU1',
        attributes: [
          { attribute: 'NoSuchAttr1', value: 'x' },
          { attribute: T.weight, value: 'heavy' },
        ],
      });
      const r = await postTeis(server, [good, badTei]);
      assert.equal(r.status, 409, r.text);
      assert.equal(r.summaries.status, 'ERROR');
      assert.deepEqual([r.summaries.imported, r.summaries.ignored], [1, 1]);
      const bad = r.summaries.importSummaries[1]!;
      assert.equal(bad.status, 'ERROR');
      assert.equal(bad.reference, 'TeiBad00001');
      assert.deepEqual(
        bad.conflicts.map((c) => c.object),
        [
          'TrackedEntity.trackedEntityType',
          'Attribute.attribute',
          'Attribute.value',
          'TeiBad00001',
        ],
      );
      assert.equal(bad.conflicts[0]!.value, 'Invalid trackedEntityType NoSuchType1');
      assert.equal(bad.conflicts[3]!.value, 'Invalid org unit ID: NoSuchOrgU1');
      assert.equal((await getTei(server, 'TeiOkay0001')).status, 200);
      assert.equal((await getTei(server, 'TeiBad00001')).status, 404);

      // An error below a tracked entity: the top level is SUCCESS and 200, as DHIS2 answers,
      // but a local reads every level and fails its push.
      const nested = teiDto('TeiNest0001', 'EnrNest0001', [
        eventDto('EvtNest0001', 'EnrNest0001', 'TeiNest0001', { programStage: 'NoSuchStag1' }),
        eventDto('EvtNest0002', 'EnrNest0001', 'TeiNest0001', {
          programStage: T.otherStage,
          dataValues: [],
        }),
      ]);
      const n = await postTeis(server, [nested]);
      assert.equal(n.status, 200, n.text);
      assert.equal(n.summaries.status, 'SUCCESS');
      assert.equal(localVerdict(n.status, n.text, 'ImportSummaries').ok, false);
      const evs = n.summaries.importSummaries[0]!.enrollments!.importSummaries[0]!.events!;
      assert.equal(evs.status, 'ERROR');
      assert.equal(
        evs.importSummaries[0]!.description,
        'Event.programStage does not point to a valid programStage: NoSuchStag1',
      );
      assert.equal(evs.importSummaries[1]!.importCount.imported, 1);

      const anonymous = teiDto('TeiAnon0001', 'EnrAnon0001', [], {});
      (anonymous.enrollments as Json[])[0]!.program = T.eventProgram;
      const a = await postTeis(server, [anonymous]);
      const enr = a.summaries.importSummaries[0]!.enrollments!.importSummaries[0]!;
      assert.equal(enr.status, 'ERROR');
      assert.equal(
        enr.description,
        `Provided program ${T.eventProgram} is a program without registration. An enrollment cannot be created into program without registration.`,
      );

      const second = teiDto('TeiOkay0001', 'EnrOkay0002', []);
      const dup = await postTeis(server, [second]);
      assert.equal(
        dup.summaries.importSummaries[0]!.enrollments!.importSummaries[0]!.description,
        `TrackedEntity TeiOkay0001 already has an active enrollment in program ${T.program}`,
      );
    });

    it('honours CREATE, UPDATE, DELETE and dryRun', async () => {
      const tei = teiDto('TeiStrat001', 'EnrStrat001', []);
      const seq = await dataSeq(server);
      const dry = await postTeis(server, [tei], '?strategy=CREATE&dryRun=true');
      assert.equal(dry.summaries.imported, 1);
      assert.equal(await dataSeq(server), seq);
      assert.equal((await getTei(server, 'TeiStrat001')).status, 404);
      const update = await postTeis(server, [tei], '?strategy=UPDATE');
      assert.equal(update.status, 409);
      assert.equal(update.summaries.importSummaries[0]!.conflicts[0]!.object, 'TrackedEntity');
      assert.equal((await postTeis(server, [tei], '?strategy=CREATE')).summaries.imported, 1);
      const create = await postTeis(server, [tei], '?strategy=CREATE');
      assert.equal(create.status, 409);
      const del = await postTeis(
        server,
        [{ trackedEntityInstance: 'TeiStrat001' }],
        '?strategy=DELETE',
      );
      assert.equal(del.summaries.deleted, 1);
      assert.equal((await getTei(server, 'TeiStrat001')).status, 404);
    });

    it('pages the export and counts with totalPages', async () => {
      const page = await fetchJson<{ pager: Json; trackedEntityInstances: Json[] }>(
        server,
        `/api/trackedEntityInstances?trackedEntityType=${T.person}&pageSize=2&page=1&totalPages=true`,
      );
      assert.equal(page.status, 200, page.text);
      assert.equal(page.body.trackedEntityInstances.length, 2);
      const total = Number(page.body.pager.total);
      assert.ok(total >= 5, String(total));
      assert.equal(page.body.pager.pageCount, Math.ceil(total / 2));
      const all = await fetchJson<{ trackedEntityInstances: Json[] }>(
        server,
        `/api/trackedEntityInstances?trackedEntityType=${T.person}&skipPaging=true`,
      );
      assert.equal(all.body.trackedEntityInstances.length, total);
      const under = await fetchJson<{ trackedEntityInstances: Json[] }>(
        server,
        `/api/trackedEntityInstances?ou=${T.ou}&ouMode=DESCENDANTS&skipPaging=true`,
      );
      assert.equal(under.body.trackedEntityInstances.length, total);
    });

    it('any signed-in user may push, as DHIS2 declares no authority (issue 16 §5); no login is 401', async () => {
      await server.instance.services.users.create({
        username: 'tei-syncer',
        password: 'Syncer-123!',
        authorities: ['F_METADATA_MANAGE'],
      });
      const body = JSON.stringify({
        trackedEntityInstances: [teiDto('TeiAuth0001', 'EnrAuth0001', [])],
      });
      const anonymous = await server.request('/api/trackedEntityInstances?strategy=SYNC', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        auth: null,
      });
      assert.equal(anonymous.status, 401);
      assert.equal(localVerdict(401, await anonymous.text(), 'ImportSummaries').ok, false);
      assert.equal((await getTei(server, 'TeiAuth0001')).status, 404);
      const res = await server.request('/api/trackedEntityInstances?strategy=SYNC', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        auth: ['tei-syncer', 'Syncer-123!'],
      });
      const text = await res.text();
      assert.equal(res.status, 200, text);
      assert.equal(localVerdict(res.status, text, 'ImportSummaries').ok, true);
      assert.equal((await getTei(server, 'TeiAuth0001')).status, 200);
      const read = await server.request(`/api/trackedEntityInstances/TeiAnnPers1`, {
        auth: ['tei-syncer', 'Syncer-123!'],
      });
      assert.equal(read.status, 200);
      assert.equal(
        (await server.request('/api/trackedEntityInstances', { auth: null })).status,
        401,
      );
    });
  });
}
