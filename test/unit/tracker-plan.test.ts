/**
 * The pure parts of issue 16 §1: DHIS2's date forms, and the tracked entity plan (what each
 * strategy does at each level, DHIS2's counts and messages, what is written).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDhisDate } from '../../src/domain/data/dhis-date.ts';
import { validateEvent } from '../../src/domain/data/events.ts';
import { planTrackedEntities, type TrackerStrategy } from '../../src/domain/data/tracker-plan.ts';
import type { TrackerState } from '../../src/domain/data/tracker-store.ts';
import type { TrackerRefs } from '../../src/domain/data/tracker-validate.ts';
import { trackedEntityWire, type Json } from '../../src/domain/data/tracker.ts';

describe('DHIS2 dates', () => {
  const cases: [string, string | null][] = [
    ['2024-01-15', '2024-01-15T00:00:00.000Z'],
    ['2024-01-15T10:20:30.123', '2024-01-15T10:20:30.123Z'],
    ['2024-01-15T10:20:30.123456789', '2024-01-15T10:20:30.123Z'],
    ['2024-01-15T10:20', '2024-01-15T10:20:00.000Z'],
    ['2024-01-15T10:20:30.000Z', '2024-01-15T10:20:30.000Z'],
    ['2024-01-15T10:20:30.000+0100', '2024-01-15T09:20:30.000Z'],
    ['2024-01-15T10:20:30.000-02:30', '2024-01-15T12:50:30.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2023-02-29', null],
    ['2024-02-30', null],
    ['2024-13-01', null],
    ['2024-01-15T24:00:00', null],
    ['15/01/2024', null],
    ['', null],
  ];
  for (const [text, iso] of cases)
    it(`${JSON.stringify(text)} → ${String(iso)}`, () => assert.equal(parseDhisDate(text), iso));

  it('reads an event date without offset as UTC whatever the server time zone', () => {
    const saved = process.env.TZ;
    process.env.TZ = 'America/Sao_Paulo';
    try {
      const refs = {
        programs: new Map([
          [
            'ProgramAAAA',
            { programType: 'WITHOUT_REGISTRATION', stages: new Set(['StageAAAAAA']) },
          ],
        ]),
        orgUnits: new Set(['OrgUnitAAAA']),
        dataElements: new Map<string, string>(),
        optionCombos: new Set(['HllvX50cXC0']),
      };
      const r = validateEvent(
        {
          event: 'EventAAAAAA',
          program: 'ProgramAAAA',
          orgUnit: 'OrgUnitAAAA',
          eventDate: '2024-01-15T00:00:00.000',
        },
        refs,
        '2024-02-01T00:00:00.000Z',
        () => 'NewUidAAAAA',
      );
      assert.equal(r.value?.eventDate, '2024-01-15T00:00:00.000Z');
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});

const refs: TrackerRefs = {
  trackedEntityTypes: new Map([
    ['PersonType1', { featureType: 'NONE' }],
    ['PlaceType01', { featureType: 'POINT' }],
  ]),
  attributes: new Map([
    ['NameAttr001', { valueType: 'TEXT' }],
    ['AgeAttr0001', { valueType: 'INTEGER' }],
  ]),
  orgUnits: new Set(['OrgUnit0001', 'OrgUnit0002']),
  programs: new Map([
    [
      'Program0001',
      {
        programType: 'WITH_REGISTRATION',
        orgUnits: new Set(['OrgUnit0001']),
        stages: new Map([
          ['StageRep001', { repeatable: true }],
          ['StageOne001', { repeatable: false }],
        ]),
        onlyEnrollOnce: false,
        displayIncidentDate: false,
      },
    ],
    [
      'ProgramOnce',
      {
        programType: 'WITH_REGISTRATION',
        orgUnits: new Set(['OrgUnit0001']),
        stages: new Map(),
        onlyEnrollOnce: true,
        displayIncidentDate: true,
      },
    ],
  ]),
  dataElements: new Map([['DataElem001', { valueType: 'NUMBER' }]]),
  optionCombos: new Set(['HllvX50cXC0']),
};

const empty = (): TrackerState => ({
  trackedEntities: new Map(),
  enrollments: new Map(),
  events: new Map(),
});

const event = (uid: string, extra: Json = {}): Json => ({
  event: uid,
  programStage: 'StageRep001',
  orgUnit: 'OrgUnit0001',
  status: 'COMPLETED',
  eventDate: '2024-03-02T00:00:00.000',
  dataValues: [{ dataElement: 'DataElem001', value: '3' }],
  ...extra,
});
const enrollment = (uid: string, events: Json[] = [], extra: Json = {}): Json => ({
  enrollment: uid,
  program: 'Program0001',
  orgUnit: 'OrgUnit0001',
  status: 'ACTIVE',
  enrollmentDate: '2024-03-01T00:00:00.000',
  incidentDate: '2024-03-01T00:00:00.000',
  events,
  ...extra,
});
const tei = (uid: string, enrollments: Json[] = [], extra: Json = {}): Json => ({
  trackedEntityInstance: uid,
  trackedEntityType: 'PersonType1',
  orgUnit: 'OrgUnit0001',
  attributes: [{ attribute: 'NameAttr001', value: 'Ann' }],
  enrollments,
  ...extra,
});

let clock = 0;
function plan(items: Json[], state: TrackerState, strategy: TrackerStrategy = 'SYNC') {
  clock += 1;
  return planTrackedEntities(items, state, {
    refs,
    strategy,
    now: new Date(Date.UTC(2024, 3, 1, 0, 0, clock)).toISOString(),
    newUid: () => 'Generated01',
    href: (uid) => `/api/trackedEntityInstances/${uid}`,
  });
}

/** The state after applying a plan's writes (what the store would hold). */
function apply(state: TrackerState, writes: ReturnType<typeof plan>['writes']): TrackerState {
  const put = <T extends { uid: string }>(m: ReadonlyMap<string, T>, rows: T[]) =>
    new Map([...m, ...rows.map((r) => [r.uid, r] as const)]);
  return {
    trackedEntities: put(state.trackedEntities, writes.trackedEntities),
    enrollments: put(state.enrollments, writes.enrollments),
    events: put(state.events, writes.events),
  };
}

const writes = (p: ReturnType<typeof plan>) =>
  p.writes.trackedEntities.length + p.writes.enrollments.length + p.writes.events.length;

describe('tracked entity plan', () => {
  it('creates all three levels, then counts an identical push as updated and writes nothing', () => {
    const body = [tei('TrackedEnt1', [enrollment('Enrollment1', [event('EventNumb01')])])];
    const first = plan(body, empty());
    assert.equal(first.summaries.imported, 1);
    assert.equal(writes(first), 3);
    const state = apply(empty(), first.writes);
    const again = plan(body, state);
    assert.equal(again.summaries.updated, 1);
    const en = again.summaries.importSummaries[0]!.enrollments!;
    assert.equal(en.updated, 1);
    assert.equal(en.importSummaries[0]!.events!.updated, 1);
    assert.equal(writes(again), 0);
    const wire = trackedEntityWire({
      trackedEntity: state.trackedEntities.get('TrackedEnt1')!,
      enrollments: [...state.enrollments.values()],
      events: [...state.events.values()],
    });
    assert.equal(((wire.enrollments as Json[])[0]!.events as Json[])[0]!.event, 'EventNumb01');
  });

  it('writes only the level that changed', () => {
    const state = apply(
      empty(),
      plan([tei('TrackedEnt1', [enrollment('Enrollment1', [event('EventNumb01')])])], empty())
        .writes,
    );
    const changed = plan(
      [
        tei('TrackedEnt1', [
          enrollment('Enrollment1', [
            event('EventNumb01', { dataValues: [{ dataElement: 'DataElem001', value: '4' }] }),
          ]),
        ]),
      ],
      state,
    );
    assert.deepEqual(
      [
        changed.writes.trackedEntities.length,
        changed.writes.enrollments.length,
        changed.writes.events.length,
      ],
      [0, 0, 1],
    );
    const row = changed.writes.events[0]!;
    assert.notEqual(row.lastUpdated, row.created);
    assert.equal(row.created, state.events.get('EventNumb01')!.created);
  });

  it('merges attribute values on update: sent ones replace, empty ones delete, others stay', () => {
    const state = apply(
      empty(),
      plan(
        [
          tei('TrackedEnt1', [], {
            attributes: [
              { attribute: 'NameAttr001', value: 'Ann' },
              { attribute: 'AgeAttr0001', value: '30' },
            ],
          }),
        ],
        empty(),
      ).writes,
    );
    const p = plan(
      [tei('TrackedEnt1', [], { attributes: [{ attribute: 'NameAttr001', value: '' }] })],
      state,
    );
    assert.deepEqual(p.writes.trackedEntities[0]!.payload.attributes, [
      { attribute: 'AgeAttr0001', value: '30' },
    ]);
  });

  it('deletes softly with a cascade; a missing one is ignored; a deleted one cannot be created again', () => {
    const body = tei('TrackedEnt1', [enrollment('Enrollment1', [event('EventNumb01')])]);
    const state = apply(empty(), plan([body], empty()).writes);
    const del = plan([{ ...body, deleted: true }], state);
    assert.equal(del.summaries.deleted, 1);
    assert.ok(del.writes.trackedEntities[0]!.deleted);
    assert.ok(del.writes.enrollments[0]!.deleted);
    assert.ok(del.writes.events[0]!.deleted);
    const gone = apply(state, del.writes);
    const again = plan([{ ...body, deleted: true }], gone);
    assert.equal(again.summaries.ignored, 1);
    assert.equal(writes(again), 0);
    const back = plan([body], gone);
    assert.equal(back.summaries.status, 'ERROR');
    assert.equal(
      back.summaries.importSummaries[0]!.description,
      'Tracked entity instance TrackedEnt1 already exists or was deleted earlier',
    );
    const update = plan([body], gone, 'UPDATE');
    assert.match(
      update.summaries.importSummaries[0]!.conflicts[0]!.value,
      /has already been deleted$/,
    );
  });

  it('reports DHIS2 conflicts at each level', () => {
    const p = plan(
      [
        tei('TrackedEnt1', [], {
          trackedEntityType: undefined,
          orgUnit: undefined,
          attributes: [{ attribute: 'AgeAttr0001', value: 'x' }],
        }),
        tei('PlaceEnt001', [], {
          trackedEntityType: 'PlaceType01',
          geometry: { type: 'Polygon', coordinates: [] },
        }),
        tei('TrackedEnt2', [
          enrollment('Enrollment2', [], { orgUnit: 'OrgUnit0002' }),
          enrollment('Enrollment3', [
            event('EventNumb03', { programStage: 'StageOne001' }),
            event('EventNumb04', { programStage: 'StageOne001' }),
            event('EventNumb05', { status: 'ACTIVE', eventDate: undefined }),
            event('EventNumb06', { dataValues: [{ dataElement: 'DataElem001', value: 'many' }] }),
          ]),
          enrollment('Enrollment4'),
        ]),
      ],
      empty(),
    );
    const [a, b, c] = p.summaries.importSummaries;
    assert.deepEqual(a!.conflicts, [
      {
        object: 'TrackedEntity.trackedEntityType',
        value: 'Missing required property trackedEntityType',
      },
      { object: 'Attribute.value', value: 'Value must be a number: `x`' },
      { object: 'TrackedEnt1', value: 'No org unit ID in tracked entity instance object' },
    ]);
    assert.deepEqual(b!.conflicts, [
      { object: 'PlaceEnt001', value: "Geometry does not conform to feature type 'POINT'" },
    ]);
    const ens = c!.enrollments!.importSummaries;
    assert.equal(
      ens[0]!.description,
      'Program is not assigned to this Organisation Unit: OrgUnit0002',
    );
    assert.equal(
      ens[2]!.description,
      'TrackedEntity TrackedEnt2 already has an active enrollment in program Program0001',
    );
    const evs = ens[1]!.events!.importSummaries;
    assert.deepEqual(
      evs.map((e) => e.status),
      ['SUCCESS', 'ERROR', 'ERROR', 'ERROR'],
    );
    assert.equal(
      evs[1]!.description,
      'Program stage is not repeatable and an event already exists',
    );
    assert.equal(evs[2]!.description, 'Event date is required. ');
    assert.deepEqual(evs[3]!.conflicts, [
      { object: 'DataElem001', value: 'Value must be a number: `many`' },
    ]);
  });

  it('honours onlyEnrollOnce and displayIncidentDate', () => {
    const first = plan(
      [
        tei('TrackedEnt1', [
          enrollment('Enrollment1', [], { program: 'ProgramOnce', status: 'COMPLETED' }),
        ]),
      ],
      empty(),
    );
    const state = apply(empty(), first.writes);
    const second = plan(
      [tei('TrackedEnt1', [enrollment('Enrollment2', [], { program: 'ProgramOnce' })])],
      state,
    );
    assert.match(
      second.summaries.importSummaries[0]!.enrollments!.importSummaries[0]!.description ?? '',
      /only allows enrolling one time$/,
    );
    const noIncident = plan(
      [
        tei('TrackedEnt9', [
          enrollment('Enrollment9', [], { program: 'ProgramOnce', incidentDate: undefined }),
        ]),
      ],
      empty(),
    );
    assert.equal(
      noIncident.summaries.importSummaries[0]!.enrollments!.importSummaries[0]!.description,
      'DisplayIncidentDate is true but IncidentDate is null ',
    );
  });

  it('follows the strategies: CREATE refuses existing, UPDATE missing, DELETE deletes, aliases too', () => {
    const body = [tei('TrackedEnt1')];
    const state = apply(empty(), plan(body, empty(), 'NEW').writes);
    assert.equal(plan(body, state, 'CREATE').summaries.status, 'ERROR');
    assert.equal(plan(body, state, 'UPDATES').summaries.updated, 1);
    assert.equal(plan([tei('TrackedEnt2')], state, 'UPDATE').summaries.status, 'ERROR');
    assert.equal(plan(body, state, 'CREATE_AND_UPDATE').summaries.updated, 1);
    assert.equal(
      plan([{ trackedEntityInstance: 'TrackedEnt1' }], state, 'DELETES').summaries.deleted,
      1,
    );
    // SYNC with deleted:false on a stored entity is an update, never a deletion.
    assert.equal(plan([{ ...body[0]!, deleted: false }], state, 'SYNC').summaries.updated, 1);
  });
});
