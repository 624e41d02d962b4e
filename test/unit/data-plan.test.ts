/** The pure parts of issue 7: value-type checks, the import plan, reading a central's answer. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  dataValueKey,
  planDataValues,
  valueTypeProblem,
  type DataValue,
} from '../../src/domain/data/data-values.ts';
import {
  describeFailure,
  extractSummary,
  pushSucceeded,
} from '../../src/domain/data/push-outcome.ts';

const v = (value: string | null, extra: Partial<DataValue> = {}): DataValue => ({
  dataElement: 'deAAAAAAAAA',
  period: '202001',
  orgUnit: 'ouAAAAAAAAA',
  categoryOptionCombo: 'HllvX50cXC0',
  attributeOptionCombo: 'HllvX50cXC0',
  value,
  storedBy: null,
  created: '2020-01-01T00:00:00.000Z',
  lastUpdated: '2020-01-02T00:00:00.000Z',
  comment: null,
  followup: false,
  deleted: false,
  ...extra,
});

describe('value types', () => {
  it('accepts numbers of the right kind and refuses the rest', () => {
    assert.equal(valueTypeProblem('NUMBER', '-1.5e3'), null);
    assert.match(valueTypeProblem('NUMBER', '1,5') ?? '', /must be a number/);
    assert.match(valueTypeProblem('NUMBER', '0x10') ?? '', /must be a number/);
    assert.equal(valueTypeProblem('INTEGER', '12'), null);
    assert.ok(valueTypeProblem('INTEGER', '1.2'));
    assert.ok(valueTypeProblem('INTEGER_POSITIVE', '0'));
    assert.equal(valueTypeProblem('INTEGER_ZERO_OR_POSITIVE', '0'), null);
    assert.ok(valueTypeProblem('PERCENTAGE', '101'));
    assert.equal(valueTypeProblem('BOOLEAN', 'false'), null);
    assert.ok(valueTypeProblem('BOOLEAN', 'yes'));
    assert.ok(valueTypeProblem('TRUE_ONLY', 'false'));
    assert.ok(valueTypeProblem('DATE', '2020-13-45'));
    assert.equal(valueTypeProblem('LONG_TEXT', 'anything'), null);
  });
});

describe('planDataValues', () => {
  const stored = new Map([[dataValueKey(v('1')), v('1')]]);

  it('imports new, updates changed, ignores identical values without conflict', () => {
    const other = v('2', { period: '202002' });
    const plan = planDataValues([v('1'), other], stored, 'CREATE_AND_UPDATE');
    assert.deepEqual(plan.count, { imported: 1, updated: 0, ignored: 1, deleted: 0 });
    assert.deepEqual(plan.conflicts, []);
    assert.deepEqual(plan.writes, [other]);
    const changed = planDataValues([v('3')], stored, 'CREATE_AND_UPDATE');
    assert.equal(changed.count.updated, 1);
    assert.equal(changed.writes[0]!.created, '2020-01-01T00:00:00.000Z');
  });

  it('deletes softly on deleted:true, an empty value, or importStrategy DELETE', () => {
    for (const [input, strategy] of [
      [v('1', { deleted: true }), 'CREATE_AND_UPDATE'],
      [v(null), 'CREATE_AND_UPDATE'],
      [v('1'), 'DELETE'],
    ] as const) {
      const plan = planDataValues([input], stored, strategy);
      assert.equal(plan.count.deleted, 1);
      assert.equal(plan.writes[0]!.deleted, true);
    }
    // Deleting what is not there is ignored, not a conflict.
    const gone = planDataValues([v(null, { period: '202003' })], stored, 'CREATE_AND_UPDATE');
    assert.deepEqual(gone.count, { imported: 0, updated: 0, ignored: 1, deleted: 0 });
  });

  it('refuses to overwrite under CREATE and to create under UPDATE', () => {
    assert.equal(planDataValues([v('9')], stored, 'CREATE').conflicts.length, 1);
    assert.equal(
      planDataValues([v('9', { period: '202009' })], stored, 'UPDATE').conflicts.length,
      1,
    );
  });
});

describe('reading a central answer (contract §11)', () => {
  it('unwraps a WebMessage and treats WARNING and ERROR as failures', () => {
    const s = extractSummary({
      httpStatus: 'OK',
      httpStatusCode: 200,
      status: 'WARNING',
      response: {
        status: 'WARNING',
        conflicts: [{ object: 'x', value: 'Data element not found' }],
      },
    });
    assert.equal(pushSucceeded(s), false);
    assert.match(describeFailure('Pushing data values', s), /WARNING.*x: Data element not found/);
    assert.equal(pushSucceeded(extractSummary({ status: 'SUCCESS', conflicts: [] })), true);
    assert.equal(pushSucceeded(extractSummary(null)), false);
  });

  it('collects the conflicts of ImportSummaries and explains a bare WebMessage', () => {
    const s = extractSummary({
      status: 'ERROR',
      importSummaries: [
        { status: 'ERROR', reference: 'e1', conflicts: [{ object: 'p', value: 'no' }] },
      ],
    });
    assert.deepEqual(s.conflicts, [{ object: 'p', value: 'no' }]);
    const denied = extractSummary({
      httpStatus: 'Forbidden',
      httpStatusCode: 403,
      status: 'ERROR',
      message: 'Access is denied',
    });
    assert.match(describeFailure('x', denied), /HTTP 403 Access is denied/);
  });
});
