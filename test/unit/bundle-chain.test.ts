/**
 * Where a bundle meets the local's chain (issue 20 §3): the versions to import after the local's
 * current one, the refusal of a gap naming the versions it lacks, and divergence of a version
 * both name with different hashes (or of the current version against the bundle's parent hash).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { continuation, divergence, versionSpan } from '../../src/domain/bundle/bundle-chain.ts';
import type { BundleVersionEntry } from '../../src/domain/bundle/manifest.ts';

const hash = (n: number, variant = 'a') => `${variant.repeat(2)}${String(n).padStart(30, '0')}`;

/** Version_from..Version_to, chained (each parentHashCode is the one before's hashCode). */
function entries(from: number, to: number, variant = 'a'): BundleVersionEntry[] {
  return Array.from({ length: to - from + 1 }, (_, i) => {
    const n = from + i;
    return {
      name: `Version_${n}`,
      id: `id${n}`,
      type: 'ATOMIC',
      created: '2026-12-01T10:00:00.000',
      hashCode: hash(n, variant),
      parentHashCode: n === 1 ? null : hash(n - 1, variant),
      file: `versions/Version_${n}.json.gz`,
      size: 100,
    };
  });
}

const held = (n: number, variant = 'a') => ({ name: `Version_${n}`, hashCode: hash(n, variant) });
const heldUpTo =
  (to: number, variant = 'a') =>
  (name: string) => {
    const n = Number(name.slice(8));
    return Promise.resolve(n <= to ? held(n, variant) : null);
  };

describe('bundle chain', () => {
  it('imports the versions after the current one, or all on a local without versions', () => {
    const r = continuation(entries(2, 5), held(3));
    assert.ok(r.ok);
    assert.deepEqual(
      r.apply.map((e) => e.name),
      ['Version_4', 'Version_5'],
    );
    const fresh = continuation(entries(1, 2), null);
    assert.ok(fresh.ok);
    assert.equal(fresh.apply.length, 2);
  });

  it('has nothing to import when the local is at or past the bundle end', () => {
    for (const at of [5, 9]) {
      const r = continuation(entries(2, 5), held(at));
      assert.ok(r.ok);
      assert.deepEqual(r.apply, []);
    }
  });

  it('refuses a gap, naming the missing versions', () => {
    const r = continuation(entries(4, 6), held(1));
    assert.ok(!r.ok);
    assert.deepEqual(r.missing, ['Version_2', 'Version_3']);
    assert.match(r.message, /starts at Version_4, but this instance is at Version_1/);
    const fresh = continuation(entries(3, 4), null);
    assert.ok(!fresh.ok);
    assert.deepEqual(fresh.missing, ['Version_1', 'Version_2']);
    assert.match(fresh.message, /has no metadata version yet/);
  });

  it('shortens a long run of missing versions', () => {
    assert.deepEqual(versionSpan(2, 40), [
      'Version_2',
      'Version_3',
      '…',
      'Version_39',
      'Version_40',
    ]);
    assert.deepEqual(versionSpan(3, 2), []);
  });

  it('finds no divergence when every version both hold has the same hash', async () => {
    assert.equal(await divergence(entries(2, 5), held(3), heldUpTo(3)), null);
    assert.equal(await divergence(entries(2, 5), held(7), heldUpTo(7)), null);
    assert.equal(await divergence(entries(4, 5), held(3), heldUpTo(3)), null);
  });

  it('names the first version held with another hash', async () => {
    const d = await divergence(entries(2, 5, 'b'), held(3), heldUpTo(3));
    assert.equal(d?.version, 'Version_2');
    assert.match(d?.message ?? '', /Version_2 differs: hashCode a+0+2 here, b+0+2 in the bundle/);
  });

  it("compares the current version with the next entry's parentHashCode", async () => {
    const d = await divergence(entries(4, 5, 'b'), held(3), heldUpTo(3));
    assert.equal(d?.version, 'Version_3');
    assert.match(d?.message ?? '', /Version_3 differs/);
  });
});
