/**
 * DHIS2's filter language on stored objects (issue 16 §9): the operators of DefaultJpaQueryParser
 * (2.39, 2.41) and DefaultQueryParser (2.43) with their Like/Token/Empty operator semantics, and
 * the export's sort (nulls last as PostgreSQL and the in-memory sorter).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FILTER_OPERATORS,
  matches,
  parseFilter,
  sortBy,
  type Order,
} from '../../src/domain/metadata/filter.ts';

const de = {
  id: 'fbfJHSPpUQD',
  name: 'ANC 1st visit',
  code: 'DE_ANC1',
  level: 2,
  aggregationLevels: [],
  categoryCombo: { id: 'bjDvmb4bfuf' },
  dataSetElements: [{ dataSet: { id: 'QX4ZTUbOt3a' } }, { dataSet: { id: 'BfMAe6Itzgt' } }],
  attributeValues: [{ attribute: { id: 'l1VmqIHKk6t' }, value: 'MOH-17' }],
};

describe('filter operators', () => {
  const cases: [string, boolean][] = [
    ['name:eq:ANC 1st visit', true],
    ['name:eq:anc 1st visit', false],
    ['name:ieq:anc 1ST visit', true],
    ['name:!eq:ANC 1st visit', false],
    ['name:ne:x', true],
    ['name:neq:x', true],
    ['name:like:1st', true],
    ['name:like:1ST', false],
    ['name:like:%1st%', true],
    ['name:!like:1ST', true],
    ['name:$like:ANC', true],
    ['name:$like:anc', false],
    ['name:!$like:anc', true],
    ['name:like$:visit', true],
    ['name:!like$:visit', false],
    ['name:ilike:1ST', true],
    ['name:!ilike:1ST', false],
    ['name:$ilike:anc', true],
    ['name:startsWith:anc', true],
    ['name:!$ilike:anc', false],
    ['name:ilike$:VISIT', true],
    ['name:endsWith:VISIT', true],
    ['name:!ilike$:VISIT', false],
    ['name:token:anc vis', true],
    ['name:token:nc', false],
    ['name:!token:nc', true],
    ['id:in:[a,fbfJHSPpUQD]', true],
    ['id:in:[a, fbfJHSPpUQD]', false],
    ['id:in:[]', false],
    ['id:!in:[a,b]', true],
    ['code:null', false],
    ['shortName:null', true],
    ['shortName:!null', false],
    ['code:!null', true],
    ['aggregationLevels:empty', true],
    ['aggregationLevels:!empty', false],
    ['dataSetElements:!empty', true],
    ['level:gt:1', true],
    ['level:ge:2', true],
    ['level:gte:2', true],
    ['level:lt:2', false],
    ['level:le:2', true],
    ['level:lte:1', false],
    ['categoryCombo.id:eq:bjDvmb4bfuf', true],
    ['dataSetElements.dataSet.id:eq:BfMAe6Itzgt', true],
    ['dataSetElements.dataSet.id:!eq:BfMAe6Itzgt', false],
    ['dataSetElements.dataSet.id:!null', true],
    // A uid that is no property names an attribute; `identifiable` is id, code, name, shortName.
    ['l1VmqIHKk6t:eq:MOH-17', true],
    ['l1VmqIHKk6t:like:MOH', true],
    ['l1VmqIHKk6t:eq:MOH-18', false],
    ['l1VmqIHKk6t:!null', true],
    ['Zz1VmqIHKk6:!null', false],
    ['identifiable:eq:DE_ANC1', true],
    ['identifiable:token:visit', true],
    ['identifiable:eq:nothing', false],
  ];
  for (const [filter, expected] of cases)
    it(`${filter} is ${expected}`, () => assert.equal(matches(de, parseFilter(filter)), expected));

  it('knows every operator of DHIS2 2.39–2.43', () => {
    const dhis2 = [
      ...['eq', '!eq', 'neq', 'ne', 'gt', 'lt', 'gte', 'ge', 'lte', 'le'],
      ...['like', '!like', '$like', '!$like', 'like$', '!like$', 'ilike', '!ilike'],
      ...['startsWith', '$ilike', '!$ilike', 'token', '!token', 'endsWith', 'ilike$', '!ilike$'],
      ...['in', '!in', 'null', '!null', 'empty', 'ieq', '!empty'],
    ];
    assert.deepEqual([...FILTER_OPERATORS].sort(), dhis2.sort());
  });
});

describe('sorting', () => {
  const by = (prop: string, direction: 1 | -1, caseInsensitive = false): Order[] => [
    { path: [prop], direction, caseInsensitive },
  ];
  const items = () => [{ n: 'b', l: 10 }, { n: 'A', l: 9 }, { l: 2 }, { n: 'a', l: 1 }];
  it('puts missing values last ascending and first descending', () => {
    assert.deepEqual(
      sortBy(items(), by('n', 1)).map((o) => o.n),
      ['A', 'a', 'b', undefined],
    );
    assert.deepEqual(
      sortBy(items(), by('n', -1)).map((o) => o.n),
      [undefined, 'b', 'a', 'A'],
    );
  });
  it('compares numbers as numbers, and ignores case for iasc (ties keep their order)', () => {
    assert.deepEqual(
      sortBy(items(), by('l', -1)).map((o) => o.l),
      [10, 9, 2, 1],
    );
    assert.deepEqual(
      sortBy(items(), by('n', 1, true)).map((o) => o.l),
      [9, 1, 10, 2],
    );
  });
});
