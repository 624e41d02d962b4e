/**
 * Bad-input fuzzing of the other write routes (issue 10 §5): data value sets, single data values,
 * complete registrations, events, tracked entities (issue 16 §1), metadata objects (POST /api/{type}, PUT /api/{type}/{id}), job
 * configurations and version creation, with structurally plausible bodies whose fields are
 * dropped, retyped or replaced by odd text (NUL, lone surrogates, huge strings, prototype keys),
 * and random parameters. Properties: never 5xx; every error is a WebMessage; the server still
 * answers; a dryRun data import writes no data.
 *
 * Not fuzzed here: the UI login (failures would lock the admin out; covered by the security
 * suite), the sync run (fuzz-snapshot.test.ts) and the test mail (needs SMTP).
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { METADATA_TYPES } from '../../src/domain/metadata/types.ts';
import { hasUnstorableText } from '../../src/domain/text.ts';
import {
  answer,
  assertAlive,
  assertWebMessage,
  check,
  fuzzParams,
  nastyString,
  percentEncode,
  PROTO_KEYS,
} from './fuzz.ts';
import { mutatedPayload } from './fuzz-payloads.ts';
import type { TestServer } from './server.ts';

type Obj = Record<string, unknown>;

/** Odd text (NUL, lone surrogates, huge) or any JSON, for one field. */
const odd = fc.oneof(
  { weight: 3, arbitrary: nastyString() },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** `a` one time in three, else null (fc.option would give `a` four times in five). */
const sometimes = <T>(a: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: a });

/**
 * An object of plausible fields, some dropped; then, sometimes, one field replaced by
 * something odd, or a stray (maybe prototype) key added. One oddity at a time, so that most
 * objects still get past the first check and reach the deeper ones.
 */
const record = (fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc
    .tuple(
      fc.record(fields, { requiredKeys: [] }),
      sometimes(fc.tuple(fc.constantFrom(...Object.keys(fields)), odd)),
      sometimes(fc.tuple(fc.constantFrom(...PROTO_KEYS, 'x'), fc.jsonValue({ maxDepth: 1 }))),
    )
    .map(([o, replaced, extra]) => {
      const out: Obj = { ...o };
      if (replaced) out[replaced[0]] = replaced[1];
      if (extra) Object.defineProperty(out, extra[0], { value: extra[1], enumerable: true });
      return out;
    });

const PERIODS = ['202401', '2024', '2024Q1', '2024W1', '20240101', '2024S1', '202413', 'x'];

function bodies(ids: { de: string[]; ou: string[]; tet: string[]; program: string[] }) {
  const de = fc.constantFrom(...ids.de, 'xxxxxxxxxxx');
  const ou = fc.constantFrom(...ids.ou, 'yyyyyyyyyyy');
  const pe = fc.constantFrom(...PERIODS);
  const coc = fc.constantFrom('HllvX50cXC0', 'zzzzzzzzzzz');
  const value = fc.oneof(fc.integer().map(String), fc.constantFrom('1', '', 'abc', 'true'));
  const dataValue = record({
    dataElement: de,
    period: pe,
    orgUnit: ou,
    categoryOptionCombo: coc,
    attributeOptionCombo: coc,
    value,
    comment: fc.string(),
    followup: fc.boolean(),
    storedBy: fc.string(),
    deleted: fc.boolean(),
  });
  const listOf = <T>(a: fc.Arbitrary<T>) => fc.array(a, { maxLength: 4 });
  const json = (method: string, path: fc.Arbitrary<string>, body: fc.Arbitrary<unknown>) =>
    fc.record({ method: fc.constant(method), path, body: body.map((b) => JSON.stringify(b)) });
  const types = METADATA_TYPES.map((t) => t.key);

  return fc.oneof(
    json(
      'POST',
      fc.constantFrom(
        '/api/dataValueSets',
        '/api/dataValueSets?dryRun=true',
        '/api/dataValueSets?importStrategy=DELETE',
        '/api/dataValueSets?orgUnitIdScheme=CODE',
      ),
      fc.oneof(
        record({ dataSet: fc.string(), period: pe, orgUnit: ou, dataValues: listOf(dataValue) }),
        fc.jsonValue({ maxDepth: 3 }),
      ),
    ),
    fc
      .tuple(de, pe, ou, fc.oneof(value, odd), fc.oneof(fc.string(), odd))
      .map(([d, p, o, v, c]) => ({
        method: 'POST',
        path: `/api/dataValues?de=${percentEncode(String(d))}&pe=${percentEncode(String(p))}&ou=${percentEncode(String(o))}&value=${percentEncode(JSON.stringify(v))}&comment=${percentEncode(JSON.stringify(c))}`,
        body: '',
      })),
    json(
      'POST',
      fc.constantFrom(
        '/api/completeDataSetRegistrations',
        '/api/completeDataSetRegistrations?dryRun=true',
      ),
      fc.oneof(
        record({
          completeDataSetRegistrations: listOf(
            record({
              dataSet: fc.string(),
              period: pe,
              organisationUnit: ou,
              attributeOptionCombo: coc,
              completed: fc.boolean(),
            }),
          ),
        }),
        fc.jsonValue({ maxDepth: 3 }),
      ),
    ),
    json(
      'POST',
      fc.constantFrom(
        '/api/events',
        '/api/events?dryRun=true',
        '/api/events?importStrategy=DELETE',
      ),
      record({
        events: listOf(
          record({
            event: fc.string(),
            program: fc.string(),
            programStage: fc.string(),
            orgUnit: ou,
            eventDate: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            status: fc.constantFrom('COMPLETED', 'ACTIVE', 'X'),
            dataValues: listOf(record({ dataElement: de, value })),
          }),
        ),
      }),
    ),
    json(
      'POST',
      fc.constantFrom(
        '/api/trackedEntityInstances?strategy=SYNC',
        '/api/trackedEntityInstances?dryRun=true',
        '/api/trackedEntityInstances?strategy=DELETE',
        '/api/trackedEntityInstances?strategy=CREATE',
      ),
      record({
        trackedEntityInstances: listOf(
          record({
            trackedEntityInstance: fc.constantFrom('FuzzTei0001', 'FuzzTei0002', 'x'),
            trackedEntityType: fc.constantFrom(...ids.tet, 'xxxxxxxxxxx'),
            orgUnit: ou,
            deleted: fc.boolean(),
            geometry: fc.constantFrom({ type: 'Point', coordinates: [1, 2] }, null),
            attributes: listOf(record({ attribute: fc.string(), value })),
            enrollments: listOf(
              record({
                enrollment: fc.constantFrom('FuzzEnr0001', 'FuzzEnr0002'),
                program: fc.constantFrom(...ids.program, 'xxxxxxxxxxx'),
                orgUnit: ou,
                status: fc.constantFrom('ACTIVE', 'COMPLETED', 'X'),
                enrollmentDate: fc.constantFrom('2024-01-01T00:00:00.000', '2024-02-30', 'x'),
                deleted: fc.boolean(),
                events: listOf(
                  record({
                    event: fc.constantFrom('FuzzEvt0001', 'FuzzEvt0002'),
                    programStage: fc.string(),
                    orgUnit: ou,
                    status: fc.constantFrom('COMPLETED', 'ACTIVE', 'SCHEDULE', 'X'),
                    eventDate: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
                    deleted: fc.boolean(),
                    dataValues: listOf(record({ dataElement: de, value })),
                  }),
                ),
              }),
            ),
          }),
        ),
      }),
    ),
    json(
      'POST',
      fc.constantFrom(...types).map((t) => `/api/${t}`),
      mutatedPayload.map((p) => Object.values(p).find(Array.isArray)?.[0] ?? p),
    ),
    json(
      'PUT',
      fc
        .tuple(
          fc.constantFrom('dataElements', 'organisationUnits'),
          fc.constantFrom(...ids.de, ...ids.ou),
        )
        .map(([t, id]) => `/api/${t}/${id}`),
      mutatedPayload.map((p) => Object.values(p).find(Array.isArray)?.[0] ?? p),
    ),
    json(
      'POST',
      fc.constant('/api/jobConfigurations'),
      record({
        name: fc.string(),
        jobType: fc.constantFrom('META_DATA_SYNC', 'DATA_INTEGRITY', 'X'),
        cronExpression: fc.constantFrom('0 0 3 ? * *', '0 0 3 * * MON', '* * *', 'x', ''),
        enabled: fc.constant(false),
        jobParameters: fc.jsonValue({ maxDepth: 2 }),
      }),
    ),
    fc.record({
      method: fc.constant('POST'),
      path: fc
        .tuple(
          fc.constantFrom('ATOMIC', 'BEST_EFFORT', 'atomic', ''),
          fc.constantFrom('true', 'false', 'x'),
        )
        .map(([t, f]) => `/api/metadata/version/create?type=${t}&force=${f}`),
      body: fc.constant(''),
    }),
  );
}

/** Everything a data import writes, to check that dryRun writes none of it. */
async function dataFingerprint(server: TestServer): Promise<string> {
  const r = await sql<{ t: string }>`
    select (select count(*) from data_value)::text || '/' ||
           (select count(*) from complete_registration)::text || '/' ||
           (select count(*) from event)::text || '/' ||
           (select count(*) from tracked_entity)::text || '/' ||
           (select coalesce(max(seq), 0) from data_change_counter)::text as t`.execute(
    server.instance.database.db,
  );
  return r.rows[0]!.t;
}

const tally = new Map<string, number>();

type Write = { method: string; path: string; body: string };
/** Regressions the fuzzer found (500: the database refused the text), replayed every run. */
const examples = (ids: { de: string[]; ou: string[] }): [Write][] => {
  const dv = (comment: string) => ({
    dataValues: [
      { dataElement: ids.de.at(-1), period: '202401', orgUnit: ids.ou[0], value: '1', comment },
    ],
  });
  const post = (path: string, body: unknown): [Write] => [
    { method: 'POST', path, body: JSON.stringify(body) },
  ];
  return [
    post('/api/dataValueSets', dv('a\u0000b')),
    post('/api/dataValueSets', dv('\udc00\udc00')),
    post('/api/completeDataSetRegistrations', {
      completeDataSetRegistrations: [
        { dataSet: '\udc00\udc00', period: '202401', organisationUnit: ids.ou[0] },
      ],
    }),
    post('/api/jobConfigurations', {
      name: '\ud800',
      jobType: 'META_DATA_SYNC',
      cronExpression: '0 0 3 ? * *',
      enabled: false,
    }),
    post('/api/jobConfigurations', {
      name: 'a\u0000b',
      jobType: 'META_DATA_SYNC',
      cronExpression: '0 0 3 ? * *',
      enabled: false,
    }),
  ];
};

async function property(server: TestServer, r: Write): Promise<void> {
  const before = await dataFingerprint(server);
  const init: RequestInit = { method: r.method };
  if (r.body) {
    init.headers = { 'content-type': 'application/json' };
    init.body = r.body;
  }
  const what = `${r.method} ${r.path.slice(0, 300)}`;
  const res = await server.request(r.path, init);
  // POST /api/dataValues answers 201 with no body, as DHIS2 does; every other answer is JSON.
  const json = res.status >= 400 || (res.headers.get('content-type') ?? '').includes('json');
  const a = await answer(res, what, json, server);
  const route = r.path.split('?')[0]!.replace(/\/[A-Za-z0-9]{11}$/, '/{id}');
  tally.set(`${route} ${a.status}`, (tally.get(`${route} ${a.status}`) ?? 0) + 1);
  if (a.status >= 400 && a.status !== 409) assertWebMessage(a, what);
  // Text the database cannot store is refused, never stored garbled (U+FFFD) or half.
  if (r.body && hasUnstorableText(JSON.parse(r.body)))
    assert.ok(a.status >= 400, `accepted unstorable text: ${what} ${r.body.slice(0, 300)}`);
  if (r.path.includes('dryRun=true'))
    assert.equal(await dataFingerprint(server), before, `a dryRun import wrote: ${what}`);
  await assertAlive(server);
}

/** The property; needs metadata on the server (run after the import or query fuzz). */
export async function fuzzWrites(server: TestServer, t: TestContext): Promise<void> {
  const list = async (type: string) => {
    const res = await server.request(`/api/${type}?fields=id&paging=false`);
    const body = (await res.json()) as Record<string, { id: string }[]>;
    return (body[type] ?? []).map((o) => o.id);
  };
  const ids = {
    de: await list('dataElements'),
    ou: await list('organisationUnits'),
    tet: await list('trackedEntityTypes'),
    program: await list('programs'),
  };
  assert.ok(ids.de.length > 0 && ids.ou.length > 0, 'no metadata to write data against');
  tally.clear();
  await check(
    'write routes',
    fc.asyncProperty(bodies(ids), (r) => property(server, r)),
    fuzzParams(80, { examples: examples(ids) }),
  );
  t.diagnostic(`outcomes: ${JSON.stringify(Object.fromEntries(tally))}`);
}
