/**
 * docs/errors.md "Sync failures" and the code keep one catalogue of sync failure kinds (issue 17
 * §6): every kind documented once, the retried column equal to RETRYABLE, the advice column equal
 * to what the failure mail says (adviceFor).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { adviceFor } from '../../src/domain/notifications/sync-notifications.ts';
import { FAILURE_KINDS, RETRYABLE } from '../../src/domain/sync/sync-report.ts';

const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/errors.md'), 'utf8');
const section = doc.slice(doc.indexOf('## Sync failures'));
const rows = [...section.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(yes|no)\s*\|(.*)\|(.*)\|\s*$/gm)].map(
  (m) => ({
    kind: m[1]!,
    retried: m[2] === 'yes',
    when: m[3]!.trim(),
    advice: m[4]!.trim().replaceAll('\\|', '|'),
  }),
);

test('the section exists and lists every kind exactly once', () => {
  assert.ok(doc.includes('## Sync failures'), 'docs/errors.md has a "Sync failures" section');
  assert.deepEqual(
    rows.map((r) => r.kind).sort(),
    [...FAILURE_KINDS].sort(),
    'the documented kinds are the code kinds',
  );
});

test('the retried column is the RETRYABLE set', () => {
  for (const r of rows)
    assert.equal(r.retried, RETRYABLE.has(r.kind as never), `retried: ${r.kind}`);
});

test('each kind says when it happens, and the advice is the failure mail’s', () => {
  for (const r of rows) {
    assert.ok(r.when.length > 10, `${r.kind} says when it happens`);
    assert.equal(r.advice, adviceFor(r.kind as never), `advice of ${r.kind}`);
  }
});
