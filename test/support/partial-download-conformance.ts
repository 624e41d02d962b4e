/**
 * The conformance suite of PartialDownloadStore (issue 19 §2): test/integration/
 * partial-download-conformance.test.ts runs it on PGlite and PostgreSQL,
 * test/unit/memory-partial-downloads.test.ts on the in-memory fake.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import type { PartialDownloadStore } from '../../src/domain/ports.ts';

export interface PartialDownloadSubject {
  store: () => PartialDownloadStore;
  /** Records `Version_<n>` as imported on this instance (the database: a metadata_version row). */
  importVersion: (n: number) => Promise<void>;
}

const all = async (it: AsyncIterable<Uint8Array>) => {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
};

let next = 1000;
/** A version name no other test of the same database uses. */
const fresh = () => `Version_${next++}`;

export function registerPartialDownloadTests({ store, importVersion }: PartialDownloadSubject) {
  it('keeps appended bytes in order under the version, its id and ETag', async () => {
    const version = fresh();
    assert.equal(await store().find(version), null);
    assert.equal((await all(store().read(version))).length, 0);
    await store().begin({ version, versionId: 'id1', etag: '"abc.gz"' });
    assert.deepEqual(await store().find(version), {
      version,
      versionId: 'id1',
      etag: '"abc.gz"',
      bytes: 0,
    });
    const a = randomBytes(300_000);
    const b = randomBytes(5);
    assert.equal(await store().append(version, 0, a), true);
    assert.equal(await store().append(version, a.length, b), true);
    assert.equal((await store().find(version))?.bytes, a.length + b.length);
    assert.deepEqual(await all(store().read(version)), Buffer.concat([a, b]));
  });

  it('refuses an append at any offset but the kept length, and without a partial', async () => {
    const version = fresh();
    assert.equal(await store().append(version, 0, Buffer.from('x')), false, 'no partial');
    await store().begin({ version, versionId: 'id', etag: '"e"' });
    await store().append(version, 0, Buffer.from('abc'));
    assert.equal(await store().append(version, 2, Buffer.from('zz')), false, 'overlaps');
    assert.equal(await store().append(version, 4, Buffer.from('zz')), false, 'leaves a gap');
    assert.deepEqual(await all(store().read(version)), Buffer.from('abc'));
    assert.equal((await store().find(version))?.bytes, 3);
  });

  it('begin replaces the earlier partial of the version: at most one per version', async () => {
    const version = fresh();
    await store().begin({ version, versionId: 'old', etag: '"1"' });
    await store().append(version, 0, Buffer.from('old bytes'));
    await store().begin({ version, versionId: 'new', etag: '"2"' });
    assert.deepEqual(await store().find(version), {
      version,
      versionId: 'new',
      etag: '"2"',
      bytes: 0,
    });
    assert.equal((await all(store().read(version))).length, 0);
    await store().append(version, 0, Buffer.from('new'));
    assert.deepEqual(await all(store().read(version)), Buffer.from('new'));
  });

  it('discard drops the partial and its bytes; another version keeps its own', async () => {
    const [a, b] = [fresh(), fresh()];
    for (const v of [a, b]) {
      await store().begin({ version: v, versionId: v, etag: '"e"' });
      await store().append(v, 0, Buffer.from(v));
    }
    await store().discard(a);
    await store().discard(fresh()); // none: no error
    assert.equal(await store().find(a), null);
    assert.equal((await all(store().read(a))).length, 0);
    assert.deepEqual(await all(store().read(b)), Buffer.from(b));
  });

  it('pruneImported drops the partials at or below the newest imported version', async () => {
    const base = next;
    next += 10;
    const names = [0, 1, 2, 3].map((i) => `Version_${base + i}`);
    for (const v of names) {
      await store().begin({ version: v, versionId: v, etag: '"e"' });
      await store().append(v, 0, Buffer.from('kept'));
    }
    await importVersion(base + 1);
    const pruned = await store().pruneImported();
    assert.ok(pruned.includes(names[0]!) && pruned.includes(names[1]!), String(pruned));
    assert.ok(!pruned.includes(names[2]!) && !pruned.includes(names[3]!), String(pruned));
    assert.equal(await store().find(names[0]!), null);
    assert.equal(await store().find(names[1]!), null);
    assert.equal((await store().find(names[2]!))?.bytes, 4);
    assert.deepEqual(await all(store().read(names[3]!)), Buffer.from('kept'));
  });
}
