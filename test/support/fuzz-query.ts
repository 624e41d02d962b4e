/**
 * Bad-input fuzzing of query parameters (issue 10 §5), on both backends over real HTTP: every
 * GET route of the OpenAPI document (so a new route is fuzzed without editing this file), with
 * its path parameters set to real ids, unknown ids or odd text, and random query strings built
 * from its declared parameters and the ones DHIS2 clients send (fields, filter, order, page,
 * pageSize, paging, rootJunction, defaults, versionName, baseline, key, …) and DHIS2's per-type
 * selectors (`dataElements:fields`, `organisationUnits:filter`, `nope:order`, …), repeated and in
 * array forms. Properties: never 5xx; a JSON answer parses; every error is a WebMessage; the
 * server still answers; and no GET writes metadata.
 *
 * METASYNC_FUZZ_RUNS=1000 runs more cases; a failure prints the seed to replay it.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import fc from 'fast-check';
import {
  answer,
  assertAlive,
  assertWebMessage,
  check,
  fingerprint,
  fuzzParams,
  nastyString,
  percentEncode,
} from './fuzz.ts';
import { FILTER_OPERATORS } from '../../src/domain/metadata/filter.ts';
import { generateMetadata, payload } from './generate-metadata.ts';
import { importOk } from './metadata.ts';
import type { TestServer } from './server.ts';
import { createVersion } from './sync.ts';
import { enableVersioning } from './versions.ts';

interface Route {
  path: string;
  params: string[];
}

/** GET routes that are actions, not queries: GET /api/metadata/sync runs a sync (as DHIS2's). */
const ACTIONS = new Set(['/api/metadata/sync']);

/** Parameters DHIS2 clients send to one route or another; every route gets some of them. */
const COMMON = [
  'fields',
  'filter',
  'order',
  'page',
  'pageSize',
  'paging',
  'rootJunction',
  'defaults',
  'versionName',
  'baseline',
  'key',
  'type',
  'limit',
  'startDate',
  'endDate',
  'lastUpdated',
  'children',
  'dataSet',
  'orgUnit',
  'period',
  'dataElements',
  '__proto__',
];

const PROPS = ['id', 'name', 'code', 'shortName', 'displayName', 'lastUpdated', 'created', 'href'];
const prop = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...PROPS, 'categoryCombo', 'parent', 'optionSet') },
  // Names every JavaScript object inherits: looked up carelessly they are not data.
  { weight: 1, arbitrary: fc.constantFrom('constructor', 'valueOf', 'toString', '__proto__') },
  { weight: 1, arbitrary: nastyString() },
);
const fieldsArb: fc.Arbitrary<string> = fc.letrec<{ field: string; list: string }>((tie) => ({
  field: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    prop,
    fc.constantFrom('*', ':owner', ':all', ':identifiable', ':nameable', '!name', 'name~rename(x)'),
    fc.tuple(prop, tie('list')).map(([p, l]) => `${p}[${l}]`),
    fc.constantFrom('[', ']', 'a[b', 'a]]', '[[]]', ',,', ''),
  ),
  list: fc.array(tie('field'), { minLength: 1, maxLength: 4 }).map((a) => a.join(',')),
})).list;

// Every operator the parser knows, and one it does not.
const OPS = [...FILTER_OPERATORS, 'xx'];
const filterValue = fc.oneof(
  fc.constantFrom('x', '2024-01-01', '0', '-1', '[a,b]', '[]', '[', 'true', 'null'),
  fc.array(fc.constantFrom('a', 'G1', 'x y'), { maxLength: 3 }).map((a) => `[${a.join(',')}]`),
  nastyString(),
);
const filterArb = fc.oneof(
  fc
    .tuple(fc.array(prop, { minLength: 1, maxLength: 3 }), fc.constantFrom(...OPS), filterValue)
    .map(([path, op, v]) => `${path.join('.')}:${op}:${v}`),
  fc.tuple(prop, fc.constantFrom(...OPS)).map(([p, op]) => `${p}:${op}`),
  nastyString(),
);
const numberish = fc.oneof(
  fc.integer({ min: -5, max: 100 }).map(String),
  fc.constantFrom('0', '-1', '1e9', '9007199254740993', '99999999999999999999', 'abc', '1.5', ''),
);
const dateish = fc.oneof(
  fc.constantFrom('2024-01-01', '2024-13-45', '202401', '2024W1', 'yesterday', '0', ''),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);

/** `type:selector` keys of GET /api/metadata (issue 16 §9): known and unknown types and selectors. */
const selectorKey = fc
  .tuple(
    fc.constantFrom('dataElements', 'organisationUnits', 'categoryCombos', 'users', 'nope', ''),
    fc.constantFrom('fields', 'filter', 'order', 'FILTER', 'Order', 'paging', '', 'fields:x'),
  )
  .map(([type, selector]) => `${type}:${selector}`);

const orderArb = fc
  .tuple(prop, fc.constantFrom('asc', 'desc', 'iasc', 'idesc', 'IDESC', 'up', '', 'desc:x'))
  .map(([p, d]) => (d ? `${p}:${d}` : p));

function valueFor(name: string, ids: string[]): fc.Arbitrary<string> {
  const anything = nastyString();
  // A per-type selector takes the values of the selector it names.
  const selector = /^[^:]*:([^:]*)/.exec(name)?.[1]?.toLowerCase();
  if (selector === 'fields' || selector === 'filter' || selector === 'order') name = selector;
  const specific: Record<string, fc.Arbitrary<string>> = {
    fields: fieldsArb,
    filter: filterArb,
    order: orderArb,
    page: numberish,
    pageSize: numberish,
    limit: numberish,
    paging: fc.constantFrom('true', 'false', 'TRUE', '1', ''),
    rootJunction: fc.constantFrom('AND', 'OR', 'and', 'XOR', ''),
    defaults: fc.constantFrom('INCLUDE', 'EXCLUDE', 'exclude', ''),
    versionName: fc.constantFrom(
      'Version_1',
      'Version_2',
      'Version_0',
      'Version_-1',
      'Version_x',
      '',
    ),
    baseline: fc.constantFrom('Version_1', 'Version_2', 'Version_99', 'nope', ''),
    startDate: dateish,
    endDate: dateish,
    lastUpdated: dateish,
    period: fc.constantFrom('202401', '2024', '2024Q1', '2024W53', '20240230', 'x'),
    children: fc.constantFrom('true', 'false', 'maybe'),
  };
  const real = ids.length > 0 ? [fc.constantFrom(...ids)] : [];
  return fc.oneof(
    { weight: 4, arbitrary: Object.hasOwn(specific, name) ? specific[name]! : anything },
    { weight: 1, arbitrary: anything },
    ...real,
  );
}

const queryArb = (route: Route, ids: string[]) =>
  fc
    .array(
      fc
        .oneof(
          { weight: 4, arbitrary: fc.constantFrom(...route.params, ...COMMON) },
          { weight: 1, arbitrary: selectorKey },
        )
        .chain((name) =>
          fc.tuple(
            fc.constant(name),
            valueFor(name, ids),
            fc.constantFrom('plain', 'plain', 'plain', 'array', 'twice'),
          ),
        ),
      { maxLength: 5 },
    )
    .map((pairs) =>
      pairs
        .flatMap(([name, value, form]) => {
          const v = percentEncode(value);
          if (form === 'array') return [`${name}[]=${v}`];
          if (form === 'twice') return [`${name}=${v}`, `${name}=${v}`];
          return [`${name}=${v}`];
        })
        .join('&'),
    );

/** A path parameter: a real id or version name, or something that matches nothing. */
const pathValue = (ids: string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...ids) },
    { weight: 2, arbitrary: nastyString().filter((s) => s.length > 0 && s.length < 300) },
  );

/** Regressions the fuzzer found (500: `fields=` looked names up on Object.prototype). */
const EXAMPLES: [[string, string]][] = [
  [['/api/categoryCombos', 'fields=valueOf']],
  [['/api/metadata', 'fields=id,constructor[id]']],
  [['/api/categoryCombos/bjDvmb4bfuf', 'fields=toString']],
  [['/api/metadata', 'dataElements:filter=id:in&organisationUnits:order=__proto__:desc']],
  [['/api/metadata', 'nope:filter=x&dataElements:fields=a%5Bb&users:FILTER=name']],
];

/** Status codes seen, printed as a test diagnostic so a run shows what it really exercised. */
const tally = new Map<number, number>();

async function property(server: TestServer, path: string, query: string): Promise<void> {
  const url = query ? `${path}?${query}` : path;
  const res = await server.request(url);
  const ct = res.headers.get('content-type') ?? '';
  const a = await answer(res, `GET ${url}`, res.status >= 400 || ct.includes('json'), server);
  tally.set(a.status, (tally.get(a.status) ?? 0) + 1);
  if (a.status >= 400) assertWebMessage(a, `GET ${url}`);
  await assertAlive(server);
}

/**
 * The property: no 5xx on any GET route for any query string, and no GET writes metadata.
 * Seeds the server first (metadata and Version_1), so real ids and versions are found.
 */
export async function fuzzQuery(server: TestServer, t: TestContext): Promise<void> {
  const g = generateMetadata(4242, { dataElements: 3, orgUnitFanout: 1 });
  await importOk(server, payload(g));
  await enableVersioning(server);
  await createVersion(server);
  const doc = (await (await server.request('/api/openapi.json')).json()) as {
    paths: Record<string, { get?: { parameters?: { name: string; in: string }[] } }>;
  };
  const routes: Route[] = Object.entries(doc.paths)
    .filter(([p, m]) => m.get && !ACTIONS.has(p))
    .map(([p, m]) => ({
      path: p,
      params: (m.get!.parameters ?? []).filter((x) => x.in === 'query').map((x) => x.name),
    }));
  assert.ok(routes.length > 50, `only ${routes.length} GET routes in the OpenAPI document`);
  const ids = [
    ...Object.values(payload(g)).flatMap((list) => list.map((o) => String(o.id))),
    'Version_1',
    'keyVersionEnabled',
    'applicationTitle',
  ];

  tally.clear();
  const before = await fingerprint(server);
  // GET /api/metadata reads the most parameters (per-type selectors): a tenth of the cases.
  const exportRoute = routes.filter((r) => r.path === '/api/metadata');
  const routeArb = fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom(...routes) },
    { weight: 1, arbitrary: fc.constantFrom(...exportRoute) },
  );
  const requestArb = routeArb.chain((route) =>
    fc.tuple(
      fc
        .tuple(
          ...[...route.path.matchAll(/\{([^}]+)\}|[^{]+/g)].map((m) =>
            m[1] ? pathValue(ids).map(percentEncode) : fc.constant(m[0]),
          ),
        )
        .map((parts) => parts.join('')),
      queryArb(route, ids),
    ),
  );
  await check(
    'query parameters',
    fc.asyncProperty(requestArb, ([path, query]) => property(server, path, query)),
    fuzzParams(120, { examples: EXAMPLES }),
  );
  assert.equal(await fingerprint(server), before, 'a GET request wrote metadata');
  t.diagnostic(`statuses: ${JSON.stringify(Object.fromEntries(tally))}`);
}
