/**
 * A version imported in slices (issue 18 §1: each type planned and applied a few objects at a
 * time) reports and stores exactly what one whole-payload plan does: forward references across
 * types and within a type (children listed before their parents), errors in later slices,
 * ATOMIC and BEST_EFFORT, a repeated id (E5004) and a code repeated across slices
 * (E5003). Each case runs with slices of 2 objects and in one piece, on fresh in-memory locals.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApplyResult } from '../../src/domain/sync/apply-version.ts';
import { apply, type Local } from '../support/fakes/apply-version-harness.ts';
import type { SnapshotInput } from '../support/fakes/fake-central-client.ts';
import { dataElement } from '../support/fakes/sync-run-harness.ts';
import { memoryLocal } from '../support/fakes/sync-import-fakes.ts';

type Json = Record<string, unknown>;
const uidOf = (prefix: string, n: number) =>
  `${prefix}${String(n).padStart(11 - prefix.length, '0')}`;

/** A root and children whose ids sort before it: in the snapshot (ordered by id) they come first. */
function orgUnits(n: number): Json[] {
  const root = uidOf('ouZ', 1);
  return [
    { id: root, name: 'Root', shortName: 'Root', openingDate: '2020-01-01' },
    ...Array.from({ length: n }, (_, i) => ({
      id: uidOf('ouA', i + 1),
      name: `Child ${i}`,
      shortName: `Child ${i}`,
      openingDate: '2020-01-01',
      parent: { id: root },
    })),
  ];
}

function optionModel(): { optionSets: Json[]; options: Json[] } {
  const set = uidOf('osA', 1);
  const options = Array.from({ length: 5 }, (_, k) => ({
    id: uidOf('opA', k + 1),
    name: `Choice ${k}`,
    code: `C${k}`,
    sortOrder: k + 1,
    optionSet: { id: set },
  }));
  return {
    optionSets: [
      { id: set, name: 'Set', valueType: 'TEXT', options: options.map((o) => ({ id: o.id })) },
    ],
    options,
  };
}

const TYPES = ['optionSets', 'options', 'organisationUnits', 'dataElements'];

async function both(input: SnapshotInput, type: 'ATOMIC' | 'BEST_EFFORT') {
  const run = async (sliceSize: number) => {
    const local: Local = await memoryLocal();
    const result = await apply(local, input, { type }, { sliceSize });
    const stored: Record<string, string[]> = {};
    for (const t of TYPES) stored[t] = (await local.store.list(t)).map((o) => String(o.id)).sort();
    return { result, stored };
  };
  const sliced = await run(2);
  const whole = await run(Infinity);
  const same = (r: ApplyResult) => ({
    ...r,
    report: { ...r.report, seconds: 0 },
    ...(r.ok ? { version: { ...r.version, id: '' } } : {}),
  });
  assert.deepEqual(same(sliced.result), same(whole.result));
  assert.deepEqual(sliced.stored, whole.stored);
  return whole;
}

describe('applyVersion in slices reports and stores what one whole plan does', () => {
  it('forward references across types and within a type resolve', async () => {
    const { result, stored } = await both(
      {
        objects: {
          ...optionModel(),
          organisationUnits: orgUnits(7),
          dataElements: Array.from({ length: 7 }, (_, i) => dataElement(i + 1)),
        },
      },
      'ATOMIC',
    );
    assert.ok(result.ok, result.ok ? '' : result.message);
    assert.equal(stored.organisationUnits!.length, 8);
  });

  for (const type of ['ATOMIC', 'BEST_EFFORT'] as const)
    it(`${type}: errors in later slices and types`, async () => {
      const elements = Array.from({ length: 9 }, (_, i) =>
        dataElement(i + 1, i === 6 || i === 2 ? { categoryCombo: { id: 'NoSuchCombo' } } : {}),
      );
      const units = orgUnits(6);
      units[4] = { ...units[4], parent: { id: 'NoSuchUnit1' } };
      const { result, stored } = await both(
        { objects: { ...optionModel(), organisationUnits: units, dataElements: elements } },
        type,
      );
      assert.equal(result.report.errors.length, 3);
      if (type === 'ATOMIC') {
        assert.ok(!result.ok && result.kind === 'IMPORT_FAILED');
        assert.deepEqual(stored.dataElements, []);
        assert.deepEqual(stored.options, []);
      } else assert.equal(stored.dataElements!.length, 7);
    });

  it('a repeated id is E5004 and a code repeated across slices E5003', async () => {
    const elements = Array.from({ length: 6 }, (_, i) => dataElement(i + 1));
    elements.push({ ...dataElement(7), code: 'UNIT_DE_1' });
    const units = orgUnits(4);
    units.push({ ...units[1]!, name: 'Twin' });
    const { result } = await both(
      { objects: { organisationUnits: units, dataElements: elements } },
      'BEST_EFFORT',
    );
    const codes = result.report.errors.map((e) => e.errorCode).sort();
    assert.deepEqual(codes, ['E5003', 'E5004']);
  });
});
