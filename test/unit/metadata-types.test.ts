/**
 * The metadata type registry covers every DHIS2 metadata type (issue 16 §8): the modelled ones
 * and the opaque ones, each once, each opaque one placed after a modelled type, none of the
 * unstored ones, and the payload parser tells the three apart.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  OPAQUE_TYPES,
  UNSTORED_TYPES,
  withoutSecrets,
} from '../../src/domain/metadata/opaque-types.ts';
import { parsePayload } from '../../src/domain/metadata/parse-payload.ts';
import { METADATA_TYPES, metadataType } from '../../src/domain/metadata/types.ts';

test('every type once; each opaque one right after its modelled anchor, with its DHIS2 class', () => {
  const keys = METADATA_TYPES.map((t) => t.key);
  assert.equal(new Set(keys).size, keys.length);
  assert.deepEqual(
    METADATA_TYPES.map((t) => t.order),
    keys.map((_, i) => i),
  );
  for (const o of OPAQUE_TYPES) {
    const t = metadataType(o.key);
    assert.ok(t?.opaque, o.key);
    assert.equal(t.klass, o.klass);
    const anchor = metadataType(o.after);
    assert.ok(anchor && !anchor.opaque, `${o.key} after ${o.after}`);
    assert.ok(t.order > anchor.order, o.key);
    // Nothing modelled sits between the anchor and the opaque type.
    for (const between of METADATA_TYPES.slice(anchor.order + 1, t.order))
      assert.ok(between.opaque, `${between.key} between ${o.after} and ${o.key}`);
  }
  assert.equal(METADATA_TYPES.filter((t) => t.opaque).length, OPAQUE_TYPES.length);
  for (const key of UNSTORED_TYPES.keys()) assert.equal(metadataType(key), undefined, key);
  // The data approval workflow follows its levels, as DHIS2 orders them.
  assert.ok(
    metadataType('dataApprovalWorkflows')!.order > metadataType('dataApprovalLevels')!.order,
  );
});

test('the parser: stored types become entries; unstored DHIS2 types and unknown keys are reported', () => {
  const parsed = parsePayload({
    system: { id: 'x' },
    date: ['2', '0'],
    dataApprovalWorkflows: [{ id: 'a1234567890' }],
    dataElements: [{ id: 'b1234567890' }],
    jobConfigurations: [{ name: 'no id either' }],
    dataApprovalWorkflowz: [{ id: 'c1234567890' }],
  });
  assert.deepEqual(
    parsed.entries.map((e) => e.type.key),
    ['dataElements', 'dataApprovalWorkflows'],
  );
  assert.deepEqual(parsed.unknownTypes, [
    { key: 'jobConfigurations', count: 1, klass: 'org.hisp.dhis.scheduling.JobConfiguration' },
    { key: 'dataApprovalWorkflowz', count: 1 },
  ]);
});

test('write-only secrets go at any depth; everything else stays, in order, __proto__ included', () => {
  const input = JSON.parse(
    '{"id":"r1234567890","__proto__":{"x":1},"auth":{"type":"api-query-params","queryParams":{"k":"v"},"token":"t"},"list":[{"password":"p","keep":1}],"headers":{"a":"b"}}',
  ) as unknown;
  const out = withoutSecrets(input);
  assert.equal(
    JSON.stringify(out),
    '{"id":"r1234567890","__proto__":{"x":1},"auth":{"type":"api-query-params"},"list":[{"keep":1}],"headers":{"a":"b"}}',
  );
});
