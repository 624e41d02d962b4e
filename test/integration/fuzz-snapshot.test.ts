/**
 * Bad-input fuzzing of snapshot bytes (issue 10 §5): a real local, on both backends, syncs over
 * HTTP from a central (test/support/fuzz-central.ts) whose next version serves arbitrary or
 * mutated bytes — random bytes, bit flips, truncation, valid gzip of invalid JSON, valid JSON of
 * the wrong shape, mutated DHIS2 payloads — under a hashCode made to match whatever the bytes
 * inflate to, so the parser and the importer are really exercised. Properties:
 *
 * - the run finishes (wait=true answers) with a classified error, never INTERNAL and never
 *   RUNNING; bytes that do not inflate, or are not a JSON object, always fail;
 * - a failed run leaves the local exactly unchanged: no version recorded, no object written;
 *   a run that succeeds (a mutated payload can still be valid) records exactly that version,
 *   and the objects it wrote are exactly those its report counts;
 * - the server still answers, and a later run over good bytes for that version succeeds.
 *
 * METASYNC_FUZZ_RUNS=200 runs more cases; a failure prints the seed to replay it.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { backends } from '../support/databases.ts';
import { startFuzzCentral, type FuzzCentral } from '../support/fuzz-central.ts';
import {
  assertAlive,
  check,
  diffStates,
  fingerprint,
  fuzzParams,
  nastyString,
  storeState,
} from '../support/fuzz.ts';
import { mutatedPayload } from '../support/fuzz-payloads.ts';
import { generateMetadata, payload } from '../support/generate-metadata.ts';
import { connect, listVersions, postSettings, start, type Started } from '../support/sync.ts';
import { fetchJson } from '../support/versions.ts';
import type { SyncReportJson } from '../support/sync.ts';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const json = (v: unknown) => Buffer.from(JSON.stringify(v) ?? 'null', 'utf8');
const SYSTEM = { id: 'fuzz-central', version: '2.41.0', date: '2026-01-01T00:00:00.000+0000' };

/** A valid snapshot: generated metadata (unique names per seed) with a `system` block. */
const SMALL = { dataElements: 2, orgUnitFanout: 1, optionSets: 1, optionsPerSet: 2 };
const goodSnapshot = (seed: number) =>
  json({ system: SYSTEM, ...payload(generateMetadata(seed, SMALL)) });

/** What the central serves: the bytes, how, and the hash it claims. */
interface Served {
  body: Buffer;
  gzip: boolean;
  /** The inflated bytes (null when they do not inflate): what the hash is computed over. */
  inflated: Buffer | null;
  /** false: the hashCode is left wrong (HASH_MISMATCH must stop the run). */
  hashMatches: boolean;
}

const flipBits = (b: Buffer, positions: number[]) => {
  const out = Buffer.from(b);
  for (const p of positions) if (out.length > 0) out[p % out.length]! ^= 1 << (p % 8);
  return out;
};
const inflate = (b: Buffer): Buffer | null => {
  try {
    return gunzipSync(b);
  } catch {
    return null;
  }
};

/** Snapshot contents: not JSON, JSON of the wrong shape, or a mutated (maybe valid) payload. */
const contentArb: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
  fc.jsonValue({ maxDepth: 3 }).map(json),
  fc
    .tuple(
      fc.constantFrom('dataElements', 'organisationUnits', 'options', 'deletedObjects', 'system'),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .map(([k, v]) => json({ system: SYSTEM, [k]: v })),
  mutatedPayload.map((p) => json({ system: SYSTEM, ...p })),
  // Valid JSON cut short, or with one byte flipped.
  fc
    .tuple(fc.integer({ min: 1, max: 1_000_000 }), fc.nat(), fc.boolean())
    .map(([seed, at, cut]) => {
      const b = goodSnapshot(seed);
      return cut ? b.subarray(0, at % b.length) : flipBits(b, [at]);
    }),
);

const servedArb: fc.Arbitrary<Served> = fc
  .tuple(
    contentArb,
    fc.constantFrom('gzip', 'gzip', 'plain', 'bitflip-gz', 'truncated-gz', 'random-as-gz'),
    fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
    fc.oneof(
      { weight: 9, arbitrary: fc.constant(true) },
      { weight: 1, arbitrary: fc.constant(false) },
    ),
  )
  .map(([content, how, positions, hashMatches]) => {
    if (how === 'plain') return { body: content, gzip: false, inflated: content, hashMatches };
    let body: Buffer = gzipSync(content);
    if (how === 'bitflip-gz') body = flipBits(body, positions);
    if (how === 'truncated-gz') body = body.subarray(0, positions[0]! % body.length);
    if (how === 'random-as-gz') body = content;
    return { body, gzip: true, inflated: inflate(body), hashMatches };
  });

const isJsonObject = (b: Buffer | null) => {
  try {
    const v: unknown = JSON.parse(b!.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
};

/** Regression found by fuzzing: a type key that is not an array failed the run as INTERNAL. */
const notAnArray = json({ system: SYSTEM, dataElements: 0 });
const EXAMPLES: [Served, string][] = [
  [{ body: gzipSync(notAnArray), gzip: true, inflated: notAnArray, hashMatches: true }, 'ATOMIC'],
];

/** A history entry as an odd central may list it: any name, fields of any type. */
const oddEntryArb = fc.record({
  name: fc
    .oneof(
      nastyString(),
      fc.constantFrom('Version_x', 'Version_01', '../Version_1', 'Version_1/../x', '%2e%2e', 'a b'),
    )
    .filter((n) => n !== '' && !/^Version_\d+$/.test(n)),
  extra: fc.dictionary(
    fc.constantFrom('type', 'created', 'hashCode', 'id', 'parentHashCode', 'name'),
    fc.oneof(nastyString(), fc.jsonValue({ maxDepth: 1 })),
    { maxKeys: 2 },
  ),
});

/**
 * Regressions found by fuzzing: a name that is not Version_<n> was accepted as number 0 and
 * stalled every later run; a lone surrogate failed the settings write as INTERNAL.
 */
const ODD_EXAMPLES = [[{ name: 'Version_x', extra: {} }], [{ name: '\ud800a', extra: {} }]] as [
  { name: string; extra: Record<string, unknown> },
][];

/** Outcomes seen (status and failure kind), printed as a test diagnostic. */
const tally = new Map<string, number>();

async function runSync(local: Started): Promise<SyncReportJson> {
  const r = await fetchJson<SyncReportJson>(local.server, '/api/metadata/sync/run?wait=true', {
    method: 'POST',
    signal: AbortSignal.timeout(60_000),
  });
  assert.equal(r.status, 200, r.text.slice(0, 1000));
  return r.body;
}

for (const backend of await backends()) {
  describe(`fuzz: snapshot bytes on ${backend}`, () => {
    let local: Started;
    let central: FuzzCentral;
    let next = 1;
    const put = (served: Served, type: 'ATOMIC' | 'BEST_EFFORT') => {
      const name = `Version_${next}`;
      central.put({
        name,
        type,
        body: served.body,
        gzip: served.gzip,
        hashCode: served.hashMatches ? md5(served.inflated ?? served.body) : 'f'.repeat(32),
      });
      return name;
    };
    /** Serves good bytes for the pending version; the next run must succeed and reach it. */
    const goodRun = async () => {
      const name = put({ ...plainGood(next), hashMatches: true }, 'ATOMIC');
      const report = await runSync(local);
      assert.equal(report.status, 'SUCCESS', JSON.stringify(report.error));
      assert.equal(report.toVersion, name);
      next++;
    };
    const plainGood = (seed: number) => {
      const content = goodSnapshot(seed);
      return { body: gzipSync(content), gzip: true, inflated: content };
    };

    before(async () => {
      central = await startFuzzCentral();
      // One attempt per run: a corrupt download is retried otherwise, which only costs time.
      local = await start(backend, { syncRetry: 1 });
      await connect(local.server, central.url);
      await postSettings(local.server, { syncMaxAttempts: 1 });
      await goodRun(); // the local has a current version, so the chain check runs too
    });
    after(async () => {
      await local?.dispose();
      await central?.stop();
    });

    it('fails a bad snapshot cleanly, changes nothing, and the next good run succeeds', async (t) => {
      tally.clear();
      await check(
        'snapshot bytes',
        fc.asyncProperty(
          servedArb,
          fc.constantFrom('ATOMIC', 'BEST_EFFORT'),
          async (served, type) => {
            const before = await fingerprint(local.server);
            const stateBefore = await storeState(local.server);
            const versionsBefore = await listVersions(local.server);
            const name = put(served, type as 'ATOMIC' | 'BEST_EFFORT');
            const report = await runSync(local);
            await assertAlive(local.server);
            const what = `${name}: ${JSON.stringify(report.error)}`;
            const outcome = `${report.status} ${report.error?.kind ?? ''}`.trim();
            tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
            assert.ok(report.status === 'SUCCESS' || report.status === 'FAILED', what);
            assert.ok(report.endTime, what);
            const mustFail = !served.hashMatches || !isJsonObject(served.inflated);
            if (report.status === 'SUCCESS') {
              assert.ok(!mustFail, `bad bytes were accepted: ${what}`);
              assert.equal(report.toVersion, name, what);
              assert.equal((await listVersions(local.server)).length, versionsBefore.length + 1);
              // What the version wrote is what its report counts (BEST_EFFORT writes a part).
              const stats = report.versions.find((v) => v.name === name)?.stats as
                { created: number; updated: number; unchanged?: number } | undefined;
              const diff = [...diffStates(stateBefore, await storeState(local.server)).values()];
              const sum = (k: 'created' | 'changed' | 'deleted') =>
                diff.reduce((n, d) => n + d[k], 0);
              assert.equal(sum('created'), stats?.created ?? 0, what);
              assert.equal(sum('changed'), (stats?.updated ?? 0) - (stats?.unchanged ?? 0), what);
              assert.equal(sum('deleted'), 0, what);
              next++;
              return;
            }
            assert.ok(report.error, 'a failed run without an error');
            assert.notEqual(report.error.kind, 'INTERNAL', `an unclassified failure: ${what}`);
            assert.ok(report.error.message.length > 0, what);
            assert.equal(report.error.version, name, what);
            assert.equal(await fingerprint(local.server), before, `a failed run wrote: ${what}`);
            assert.deepEqual(await listVersions(local.server), versionsBefore, what);
            await goodRun();
          },
        ),
        fuzzParams(12, { examples: EXAMPLES }),
      );
      t.diagnostic(`outcomes: ${JSON.stringify(Object.fromEntries(tally))}`);
    });

    it('an odd history entry (name, type, dates, hash) fails cleanly or syncs, never INTERNAL', () =>
      check(
        'history entries',
        fc.asyncProperty(oddEntryArb, async ({ name, extra }) => {
          const before = await fingerprint(local.server);
          const versionsBefore = await listVersions(local.server);
          const good = plainGood(next);
          central.put({ name, type: 'ATOMIC', ...good, hashCode: md5(good.inflated), extra });
          const report = await runSync(local);
          await assertAlive(local.server);
          const what = `${JSON.stringify({ name, extra })}: ${JSON.stringify(report.error)}`;
          assert.ok(report.status === 'SUCCESS' || report.status === 'FAILED', what);
          if (report.status === 'FAILED') {
            assert.notEqual(report.error?.kind, 'INTERNAL', `an unclassified failure: ${what}`);
            assert.equal(await fingerprint(local.server), before, `a failed run wrote: ${what}`);
            assert.deepEqual(await listVersions(local.server), versionsBefore, what);
            central.remove(name);
          }
          // Accepted or not, the odd entry must not stall the local: the next version syncs.
          await goodRun();
        }),
        fuzzParams(10, { examples: ODD_EXAMPLES }),
      ));
  });
}
