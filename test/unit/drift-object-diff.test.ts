/** The property paths a drift report lists for a changed object (issue 23 §1). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffPaths, MAX_PATHS, MAX_VALUE } from '../../src/domain/drift/object-diff.ts';

describe('drift paths', () => {
  it('names each differing property with both values; the same content has none', () => {
    const implied = { name: 'Old', code: 'A', style: { color: 'red', icon: 'x' } };
    assert.deepEqual(diffPaths(implied, structuredClone(implied)), { paths: [], more: false });
    assert.deepEqual(
      diffPaths(implied, { name: 'New', code: 'A', style: { color: 'blue', icon: 'x' }, extra: 1 }),
      {
        paths: [
          { path: 'extra', live: '1' },
          { path: 'name', implied: 'Old', live: 'New' },
          { path: 'style.color', implied: 'red', live: 'blue' },
        ],
        more: false,
      },
    );
  });

  it('matches members of a reference list by id: an added and a removed member, or only a new order', () => {
    const implied = { options: [{ id: 'a' }, { id: 'b' }] };
    assert.deepEqual(diffPaths(implied, { options: [{ id: 'a' }, { id: 'c' }] }).paths, [
      { path: 'options[id=b]', implied: '{"id":"b"}' },
      { path: 'options[id=c]', live: '{"id":"c"}' },
    ]);
    assert.deepEqual(diffPaths(implied, { options: [{ id: 'b' }, { id: 'a' }] }).paths, [
      { path: 'options', implied: '[{"id":"a"},{"id":"b"}]', live: '[{"id":"b"},{"id":"a"}]' },
    ]);
    assert.deepEqual(diffPaths({ tags: ['x', 'y'] }, { tags: ['x', 'z'] }).paths, [
      { path: 'tags[1]', implied: 'y', live: 'z' },
    ]);
  });

  it('cuts long values and stops listing after MAX_PATHS', () => {
    const long = 'é'.repeat(MAX_VALUE * 2);
    const [p] = diffPaths({ description: long }, { description: 'short' }).paths;
    assert.equal(p!.implied!.length, MAX_VALUE);
    assert.ok(p!.implied!.endsWith('…'));
    const many = Object.fromEntries(Array.from({ length: MAX_PATHS + 5 }, (_, i) => [`p${i}`, i]));
    const out = diffPaths({}, many);
    assert.equal(out.paths.length, MAX_PATHS);
    assert.equal(out.more, true);
  });
});
