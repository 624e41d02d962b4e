/**
 * The conformance suite of LocalKeyStore (issue 20 §5): test/integration/
 * local-key-conformance.test.ts runs it on PGlite and PostgreSQL, test/unit/memory-local-keys.test.ts
 * on the in-memory fake.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { LocalKeyStore, PinnedLocalKey } from '../../src/domain/bundle/local-keys.ts';

let next = 0;
/** A systemId no other test of the same store uses; sorted by creation. */
const fresh = () =>
  `local-${String(next++).padStart(4, '0')}-${Math.random().toString(36).slice(2, 8)}`;

const key = (systemId: string, over: Partial<PinnedLocalKey> = {}): PinnedLocalKey => ({
  systemId,
  publicKeyPem: `-----BEGIN PUBLIC KEY-----\n${systemId}\n-----END PUBLIC KEY-----\n`,
  fingerprint: 'a'.repeat(64),
  pinnedBy: 'admin',
  pinnedAt: new Date('2026-03-04T05:06:07.000Z'),
  reason: 'carried by hand',
  ...over,
});

export function registerLocalKeyTests(store: () => LocalKeyStore) {
  it('keeps a pin per systemId, every field as given', async () => {
    const id = fresh();
    assert.equal(await store().find(id), null);
    await store().put(key(id));
    assert.deepEqual(await store().find(id), key(id));
  });

  it('put replaces the local pin; other locals keep theirs', async () => {
    const [a, b] = [fresh(), fresh()];
    await store().put(key(a));
    await store().put(key(b, { fingerprint: 'b'.repeat(64) }));
    const replaced = key(a, {
      fingerprint: 'c'.repeat(64),
      pinnedBy: 'other',
      pinnedAt: new Date('2026-05-06T07:08:09.000Z'),
      reason: '',
    });
    await store().put(replaced);
    assert.deepEqual(await store().find(a), replaced);
    assert.equal((await store().find(b))?.fingerprint, 'b'.repeat(64));
  });

  it('lists every pin ordered by systemId', async () => {
    const ids = [fresh(), fresh(), fresh()];
    for (const id of [...ids].reverse()) await store().put(key(id));
    const listed = (await store().list()).map((k) => k.systemId).filter((id) => ids.includes(id));
    assert.deepEqual(listed, ids);
    const all = (await store().list()).map((k) => k.systemId);
    assert.deepEqual(all, [...all].sort());
  });

  it('remove drops one pin and says whether there was one', async () => {
    const [a, b] = [fresh(), fresh()];
    await store().put(key(a));
    await store().put(key(b));
    assert.equal(await store().remove(a), true);
    assert.equal(await store().remove(a), false);
    assert.equal(await store().remove(fresh()), false);
    assert.equal(await store().find(a), null);
    assert.ok(await store().find(b));
  });
}
