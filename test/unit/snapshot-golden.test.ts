/**
 * The snapshot's exact bytes and hashCode for a small fixed input (test/support/golden-snapshot.ts).
 * The golden file was written by the store's snapshot query as it stood before the generator moved
 * into the domain, on PGlite and PostgreSQL alike: a change to these bytes changes every hashCode a
 * local has recorded, so it must be deliberate.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  DELETIONS_KEY,
  hashedBytes,
  snapshotText,
} from '../../src/domain/versioning/snapshot-format.ts';
import {
  BOOTSTRAP_OBJECTS,
  type SnapshotScope,
} from '../../src/domain/versioning/snapshot-scope.ts';
import { createMemoryVersionStore } from '../support/fakes/memory-version-store.ts';
import { GOLDEN_STEPS, GOLDEN_SYSTEM } from '../support/golden-snapshot.ts';

const GOLDEN = readFileSync(new URL('./golden/snapshot-small.json', import.meta.url));
const GOLDEN_HASH = '4d39307d3b4721621d783853ca443fdc';

async function generate(scope: SnapshotScope, pageSize: number) {
  const fake = createMemoryVersionStore({ pageSize });
  for (const step of GOLDEN_STEPS)
    if ('put' in step) await fake.put(step.put.type, step.put.id, step.put.text);
    else await fake.remove(step.remove.type, step.remove.id, step.remove);
  return fake.store.pending(async ({ changes }) => {
    const counts: Record<string, number> = {};
    const hashed = hashedBytes(snapshotText(changes, GOLDEN_SYSTEM, scope, counts));
    const parts: Buffer[] = [];
    for await (const b of hashed.bytes) parts.push(b);
    return { bytes: Buffer.concat(parts), digest: hashed.digest(), counts };
  });
}

const FULL: SnapshotScope = { includeDeletions: true, excluded: BOOTSTRAP_OBJECTS };

describe('snapshot bytes (golden file)', () => {
  for (const pageSize of [1, 2, 5000])
    it(`the fixed input gives the golden bytes and hash, read in pages of ${pageSize}`, async () => {
      const { bytes, digest, counts } = await generate(FULL, pageSize);
      assert.equal(bytes.toString('utf8'), GOLDEN.toString('utf8'));
      assert.deepEqual(digest, { hashCode: GOLDEN_HASH, bytes: GOLDEN.length });
      assert.deepEqual(counts, { categoryOptions: 2, organisationUnits: 1, dataElements: 2 });
    });

  it('the golden file is what its hash says', async () => {
    const { createHash } = await import('node:crypto');
    assert.equal(createHash('md5').update(GOLDEN).digest('hex'), GOLDEN_HASH);
  });

  it('without keyVersionIncludeDeletions the same bytes end before the deletions', async () => {
    const { bytes } = await generate({ ...FULL, includeDeletions: false }, 5000);
    const cut = GOLDEN.indexOf(`,"${DELETIONS_KEY}":`);
    assert.ok(cut > 0, 'the golden file carries deletions');
    assert.equal(bytes.toString('utf8'), `${GOLDEN.subarray(0, cut).toString('utf8')}}`);
  });

  it("with keyVersionIncludeBootstrapAdmin the admin is in, in its type's import order", async () => {
    const { bytes, counts } = await generate({ ...FULL, excluded: [] }, 5000);
    const body = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), [
      'system',
      'categoryOptions',
      'organisationUnits',
      'users',
      'dataElements',
      DELETIONS_KEY,
    ]);
    assert.equal(counts.users, 1);
  });

  it('a hash is only read once the bytes were read to the end', () => {
    const hashed = hashedBytes((async function* () {})());
    assert.throws(() => hashed.digest(), /not read to the end/);
  });
});
