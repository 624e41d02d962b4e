/**
 * `GET /api/metadata`'s query as DHIS2 reads it (issue 16 §9): one row per behaviour of
 * DefaultMetadataExportService.getParamsFromMap / getMetadata (dhis2-core 2.39.0, 2.41.9.1,
 * 2.43.1; 2.43's Order.parse where the releases differ).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAppError } from '../../src/domain/errors.ts';
import {
  parseExportOrders,
  parseExportQuery,
  storeQuery,
  type QueryValue,
} from '../../src/domain/metadata/export-selectors.ts';
import { parseFields } from '../../src/domain/metadata/fields.ts';
import { parseFilter, type Order } from '../../src/domain/metadata/filter.ts';

const TYPES = ['categoryCombos', 'dataElements', 'organisationUnits'];

const order = (o: Order) =>
  `${o.path.join('.')}:${o.caseInsensitive ? 'i' : ''}${o.direction === 1 ? 'asc' : 'desc'}`;

/** What one type gets: its fields spec, filters and orders, in a comparable form. */
type Got = Record<string, { fields: string; filters: string[]; orders: string[] }>;

function read(query: Record<string, QueryValue>): Got {
  const { types } = parseExportQuery(query, TYPES);
  return Object.fromEntries(
    types.map((t) => [
      t.type,
      {
        // Compared by re-parsing the expected spec (a FieldTree holds Maps).
        fields: JSON.stringify(t.fields, (_, v: unknown) =>
          v instanceof Map || v instanceof Set ? [...v] : v,
        ),
        filters: t.filters.map((f) => `${f.path.join('.')}:${f.op}:${f.value}`),
        orders: t.orders.map(order),
      },
    ]),
  );
}

const fields = (spec: string) =>
  JSON.stringify(parseFields(spec), (_, v: unknown) =>
    v instanceof Map || v instanceof Set ? [...v] : v,
  );
const plain = (spec = ':owner', filters: string[] = [], orders: string[] = []) => ({
  fields: fields(spec),
  filters,
  orders,
});
const every = (t = plain()) => Object.fromEntries(TYPES.map((k) => [k, t]));

describe('GET /api/metadata selectors (DefaultMetadataExportService.getParamsFromMap)', () => {
  const cases: [string, Record<string, QueryValue>, Got][] = [
    ['no selection exports every type with :owner', {}, every()],
    ['type=true selects the type', { dataElements: 'true' }, { dataElements: plain() }],
    ['the value is compared ignoring case', { dataElements: 'TRUE' }, { dataElements: plain() }],
    ['a value other than true selects nothing', { dataElements: 'yes' }, every()],
    ['one false among the values deselects', { dataElements: ['true', 'false'] }, every()],
    ['type=false alone leaves every type selected', { dataElements: 'false' }, every()],
    [
      'type:fields selects the type by itself',
      { 'dataElements:fields': 'id,name' },
      { dataElements: plain('id,name') },
    ],
    [
      'type:filter selects the type by itself',
      { 'dataElements:filter': 'id:in:[a,b]' },
      { dataElements: plain(':owner', ['id:in:[a,b]']) },
    ],
    [
      'type:order selects the type by itself',
      { 'dataElements:order': 'name:desc' },
      { dataElements: plain(':owner', [], ['name:desc']) },
    ],
    [
      'a selector key selects whatever type=false says',
      { 'dataElements:fields': 'id', dataElements: 'false' },
      { dataElements: plain('id') },
    ],
    [
      'the selector name is compared ignoring case',
      { 'dataElements:FIELDS': 'id', 'categoryCombos:Filter': 'name:eq:x' },
      { categoryCombos: plain(':owner', ['name:eq:x']), dataElements: plain('id') },
    ],
    [
      'only the second part of the key names the selector',
      { 'dataElements:fields:extra': 'id' },
      { dataElements: plain('id') },
    ],
    ['an empty second part is no selector', { 'dataElements::fields': 'id' }, every()],
    [
      'another selector with value true selects the type only',
      { 'dataElements:paging': 'true' },
      { dataElements: plain() },
    ],
    ['type names are case-sensitive', { 'dataelements:fields': 'id' }, every()],
    [
      'an unknown type in a prefix is ignored, its filter unread',
      { 'nope:filter': 'not a filter', 'nope:fields': 'a[' },
      every(),
    ],
    [
      'per-type fields replace the default fields of that type only',
      { fields: 'id', dataElements: 'true', 'categoryCombos:fields': 'name' },
      { categoryCombos: plain('name'), dataElements: plain('id') },
    ],
    [
      'several values of a selector add up; fields are joined with commas',
      {
        'organisationUnits:filter': ['level:eq:2', 'name:like:A'],
        'organisationUnits:fields': ['id', 'level'],
      },
      { organisationUnits: plain('id,level', ['level:eq:2', 'name:like:A']) },
    ],
    [
      "a type's filter replaces the default filter",
      { filter: 'name:like:x', 'dataElements:filter': 'code:eq:c', categoryCombos: 'true' },
      {
        categoryCombos: plain(':owner', ['name:like:x']),
        dataElements: plain(':owner', ['code:eq:c']),
      },
    ],
    [
      "a type's order alone drops the default filter and order for it",
      {
        filter: 'name:like:x',
        order: 'code:desc',
        'dataElements:order': 'code',
        categoryCombos: 'true',
      },
      {
        categoryCombos: plain(':owner', ['name:like:x'], ['code:desc']),
        dataElements: plain(':owner', [], ['code:asc']),
      },
    ],
    [
      "a type's filter alone drops the default order for it",
      { order: 'code:desc', 'dataElements:filter': 'code:!null' },
      { dataElements: plain(':owner', ['code:!null:'], []) },
    ],
    [
      'rootJunction, paging and skipped keys change nothing',
      { rootJunction: 'OR', page: '2', pageSize: '1', paging: 'true', dataElements: 'true' },
      { dataElements: plain() },
    ],
    [
      'operator spellings are read as one operator',
      { 'dataElements:filter': ['name:ne:a', 'code:gte:b', 'shortName:startsWith:c'] },
      { dataElements: plain(':owner', ['name:!eq:a', 'code:ge:b', 'shortName:$ilike:c']) },
    ],
    [
      'a filter value keeps its colons',
      { 'dataElements:filter': 'lastUpdated:ge:2024-01-01T10:00:00' },
      { dataElements: plain(':owner', ['lastUpdated:ge:2024-01-01T10:00:00']) },
    ],
  ];
  for (const [name, query, expected] of cases)
    it(name, () => assert.deepEqual(read(query), expected));

  it('defaults: the first value, INCLUDE when absent, a 400 naming the enum otherwise', () => {
    const d = (v: QueryValue) => parseExportQuery({ defaults: v }, TYPES).defaults;
    assert.equal(d(undefined), 'INCLUDE');
    assert.equal(d('EXCLUDE'), 'EXCLUDE');
    assert.equal(d(['EXCLUDE', 'INCLUDE']), 'EXCLUDE');
    assert.throws(
      () => d('exclude'),
      (e) =>
        isAppError(e) &&
        e.code === 'BAD_REQUEST' &&
        e.message === 'No enum constant org.hisp.dhis.fieldfilter.Defaults.exclude',
    );
  });

  const refusals: [string, Record<string, QueryValue>, string][] = [
    ['a filter without operator', { 'dataElements:filter': 'name' }, 'Invalid filter => name'],
    ['an empty filter', { 'dataElements:filter': '' }, 'Invalid filter => '],
    [
      'an unknown operator',
      { 'dataElements:filter': 'name:xx:1' },
      '`xx` is not a valid operator.',
    ],
    [
      'an in-list without brackets',
      { 'dataElements:filter': 'id:in:a,b' },
      'Collection size must be integer `a,b`',
    ],
    [
      'an in-operator without argument',
      { 'dataElements:filter': 'id:in' },
      'Invalid argument `null` for in operator.',
    ],
    [
      'a property no object has',
      { 'dataElements:filter': 'na me:eq:x' },
      'Unknown path property: na me',
    ],
    ['a bad default filter some type uses', { filter: 'name' }, 'Invalid filter => name'],
  ];
  for (const [name, query, message] of refusals)
    it(`refuses ${name} with DHIS2's 409 message`, () =>
      assert.throws(
        () => parseExportQuery(query, TYPES),
        (e) => isAppError(e) && e.code === 'QUERY_INVALID' && e.message === message,
      ));

  it('does not read a default filter no type uses (DHIS2 parses it per type)', () => {
    assert.deepEqual(read({ filter: 'name', 'dataElements:filter': 'id:eq:x' }), {
      dataElements: plain(':owner', ['id:eq:x']),
    });
  });

  it('refuses malformed per-type fields with a 400', () => {
    assert.throws(
      () => parseExportQuery({ 'dataElements:fields': 'id,categoryCombo[id' }, TYPES),
      (e) => isAppError(e) && e.code === 'BAD_REQUEST',
    );
  });
});

describe('export orders (Order.parse, 2.43)', () => {
  const cases: [string[], string[]][] = [
    [['name:desc'], ['name:desc']],
    [['name:IDESC'], ['name:idesc']],
    [['name:iasc'], ['name:iasc']],
    [['name'], ['name:asc']],
    [['name:up'], ['name:asc']],
    [['name:desc:x'], ['name:asc']],
    [['name:desc,code'], ['name:asc']],
    [['name:desc', 'name:asc'], ['name:desc']],
    [
      ['code', 'name:desc'],
      ['code:asc', 'name:desc'],
    ],
    [['level:desc:'], ['level:desc']],
    [[''], []],
  ];
  for (const [input, expected] of cases)
    it(`${JSON.stringify(input)} sorts by ${JSON.stringify(expected)}`, () =>
      assert.deepEqual(parseExportOrders(input).map(order), expected));
});

describe("what the store's indexes answer", () => {
  const f = (...s: string[]) => s.map(parseFilter);
  it('takes the first lastUpdated:ge with a date and the first id filter, leaves the rest', () => {
    const { since, ids, rest } = storeQuery(
      f(
        'name:like:A',
        'lastUpdated:ge:2024-05-01',
        'id:in:[a,b]',
        'lastUpdated:ge:2024-06-01',
        'id:eq:c',
      ),
    );
    assert.equal(since?.toISOString(), '2024-05-01T00:00:00.000Z');
    assert.deepEqual(ids, ['a', 'b']);
    assert.deepEqual(rest, f('name:like:A', 'lastUpdated:ge:2024-06-01', 'id:eq:c'));
    assert.deepEqual(storeQuery(f('id:eq:c')).ids, ['c']);
    assert.deepEqual(storeQuery(f('id:in:[]')).ids, ['']);
  });
  it('leaves everything to the objects when no filter fits', () => {
    for (const s of [
      'lastUpdated:gt:2024-05-01',
      'lastUpdated:ge:yesterday',
      'a.lastUpdated:ge:2024',
      'id:!in:[a]',
      'id:ieq:a',
      'categoryCombo.id:eq:a',
    ]) {
      const q = storeQuery(f(s));
      assert.deepEqual(q, { since: null, ids: null, rest: f(s) }, s);
    }
  });
});
