/**
 * The properties test/integration/fuzz-snapshot.test.ts checks over HTTP (issue 10 §5), here over
 * in-memory fakes in milliseconds a case: whatever bytes a central serves for a version, under a
 * hashCode that matches them, the run ends SUCCESS or FAILED with a classified error (never
 * INTERNAL); bytes that are not a JSON object always fail; a failed run leaves the local exactly
 * as it was, and one that succeeds records exactly that version. Fixed seed (METASYNC_FUZZ_SEED
 * replays another), METASYNC_FUZZ_RUNS runs more.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { centralSystem } from '../support/fakes/fake-central-client.ts';
import { syncHarness } from '../support/fakes/sync-run-harness.ts';
import { mutatedPayload } from '../support/fuzz-payloads.ts';
import { generateMetadata, payload } from '../support/generate-metadata.ts';

const SEED = Number(process.env.METASYNC_FUZZ_SEED) || 20_261_125;
const RUNS = Number(process.env.METASYNC_FUZZ_RUNS) || 100;

const json = (v: unknown) => Buffer.from(JSON.stringify(v) ?? 'null', 'utf8');
const SYSTEM = centralSystem('2.41.0');
const good = (seed: number) =>
  json({ system: SYSTEM, ...payload(generateMetadata(seed, { dataElements: 2, optionSets: 1 })) });
const flip = (b: Buffer, at: number) => {
  const out = Buffer.from(b);
  if (out.length > 0) out[at % out.length]! ^= 1 << (at % 8);
  return out;
};

/** Snapshot bytes: random, JSON of any shape, mutated metadata, or a good snapshot damaged. */
const bytesArb: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 500 }).map((a) => Buffer.from(a)),
  fc.jsonValue({ maxDepth: 3 }).map(json),
  fc
    .tuple(
      fc.constantFrom('dataElements', 'organisationUnits', 'options', 'deletedObjects', 'system'),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .map(([k, v]) => json({ system: SYSTEM, [k]: v })),
  mutatedPayload.map((p) => json({ system: SYSTEM, ...p })),
  fc
    .tuple(fc.integer({ min: 1, max: 1_000_000 }), fc.nat(), fc.boolean())
    .map(([seed, at, cut]) => (cut ? good(seed).subarray(0, at % 4000) : flip(good(seed), at))),
);

const isJsonObject = (b: Buffer) => {
  try {
    const v: unknown = JSON.parse(b.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
};

describe('runSync over whatever bytes a central serves', () => {
  it(`${RUNS} snapshots: classified, all or nothing, never INTERNAL`, async () => {
    await fc.assert(
      fc.asyncProperty(
        bytesArb,
        fc.constantFrom('ATOMIC', 'BEST_EFFORT') as fc.Arbitrary<'ATOMIC' | 'BEST_EFFORT'>,
        async (bytes, type) => {
          const h = await syncHarness();
          h.central.publish(bytes, { type });
          const before = await h.store.countByType();
          const report = await h.run();
          assert.ok(['SUCCESS', 'FAILED'].includes(report.status), report.status);
          assert.notEqual(report.error?.kind, 'INTERNAL', report.error?.message);
          if (!isJsonObject(bytes)) assert.equal(report.status, 'FAILED', 'not a JSON object');
          const names = (await h.versions.list()).map((v) => v.name);
          if (report.status === 'FAILED') {
            assert.deepEqual(names, [], 'a failed run records no version');
            assert.deepEqual(await h.store.countByType(), before, 'and writes no object');
          } else {
            assert.deepEqual(names, ['Version_1']);
            const stats = report.versions[0]!.stats!;
            const after = await h.store.countByType();
            const added = [...after].reduce((n, [t, c]) => n + c - (before.get(t) ?? 0), 0);
            assert.equal(added, stats.created, 'the objects written are those counted created');
          }
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
