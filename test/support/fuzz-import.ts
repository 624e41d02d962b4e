/**
 * Bad-input fuzzing of POST /api/metadata (issue 10 §5), on both backends over real HTTP:
 * arbitrary JSON and mutated DHIS2 payloads, random import parameters (valid and not), gzip or
 * plain bodies, right and wrong content types. For every request:
 *
 * - the answer is below 500 and is a WebMessage (an ImportReport inside for 200 and 409);
 * - the server still answers its health check;
 * - no partial write: a refused request, a VALIDATE/dryRun import, and an ALL import with an
 *   error leave the store exactly as it was (a fingerprint of every table an import writes);
 * - a committed import changed exactly what its report counts, per type: created, deleted, and
 *   updated minus unchanged.
 *
 * METASYNC_FUZZ_RUNS=500 runs more cases; a failure prints the seed to replay it.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import type { TestContext } from 'node:test';
import fc from 'fast-check';
import { METADATA_TYPES } from '../../src/domain/metadata/types.ts';
import {
  answer,
  assertAlive,
  assertWebMessage,
  check,
  diffStates,
  fingerprint,
  fuzzParams,
  storeState,
} from './fuzz.ts';
import { importBody } from './fuzz-payloads.ts';
import type { TestServer } from './server.ts';

const KEY_OF_KLASS = new Map(METADATA_TYPES.map((t) => [t.klass, t.key]));

/** A parameter: absent, one of its valid values, or garbage (which must be refused). */
const param = (valid: readonly string[]) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constant(undefined) },
    { weight: 24, arbitrary: fc.constantFrom(...valid) },
    { weight: 1, arbitrary: fc.constantFrom('', 'all', 'NONE ', '1', 'true', '%00', '[]') },
  );

const paramsArb = fc.record({
  importStrategy: param(['CREATE_AND_UPDATE', 'CREATE', 'UPDATE', 'DELETE']),
  atomicMode: param(['ALL', 'NONE']),
  importMode: param(['COMMIT', 'VALIDATE']),
  identifier: param(['UID', 'CODE', 'AUTO']),
  dryRun: param(['true', 'false']),
  skipSharing: param(['true', 'false']),
});

const requestArb = fc.record({
  body: importBody,
  params: paramsArb,
  // Sent as is, gzipped, or cut short (a broken upload).
  encoding: fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom('plain', 'gzip') },
    { weight: 1, arbitrary: fc.constantFrom('truncated', 'truncated-gzip') },
  ),
  contentType: fc.oneof(
    {
      weight: 12,
      arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8'),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'text/plain',
        'application/xml',
        'application/x-www-form-urlencoded',
        '',
      ),
    },
  ),
  repeatParam: fc.oneof(
    { weight: 12, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  ),
});
type FuzzRequest = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

function encode(r: FuzzRequest): { url: string; init: RequestInit } {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(r.params)) if (v !== undefined) qs.append(k, v);
  // A repeated parameter arrives as an array; it must be refused, not crash the handler.
  if (r.repeatParam && r.params.atomicMode) qs.append('atomicMode', r.params.atomicMode);
  let bytes = Buffer.from(JSON.stringify(r.body) ?? 'null', 'utf8');
  if (r.encoding === 'truncated' || r.encoding === 'truncated-gzip')
    bytes = bytes.subarray(0, Math.floor(bytes.length / 2));
  const gzip = r.encoding === 'gzip' || r.encoding === 'truncated-gzip';
  if (gzip) bytes = gzipSync(bytes);
  if (r.encoding === 'truncated-gzip') bytes = bytes.subarray(0, Math.ceil(bytes.length * 0.7));
  const headers: Record<string, string> = {};
  if (r.contentType) headers['content-type'] = r.contentType;
  if (gzip) headers['content-encoding'] = 'gzip';
  const q = qs.toString();
  return {
    url: `/api/metadata${q ? `?${q}` : ''}`,
    init: { method: 'POST', headers, body: bytes },
  };
}

interface ReportJson {
  responseType?: string;
  status?: string;
  typeReports?: {
    klass: string;
    stats: { created: number; updated: number; deleted: number; unchanged?: number };
  }[];
}

/** The per-type changes the report claims, keyed like the store (plural type keys). */
function claimed(report: ReportJson) {
  const out = new Map<string, { created: number; changed: number; deleted: number }>();
  for (const t of report.typeReports ?? []) {
    const key = KEY_OF_KLASS.get(t.klass);
    if (!key) continue; // unknown-type warnings carry the payload's key as klass
    const d = {
      created: t.stats.created,
      changed: t.stats.updated - (t.stats.unchanged ?? 0),
      deleted: t.stats.deleted,
    };
    if (d.created || d.changed || d.deleted) out.set(key, d);
  }
  return out;
}

/** Regressions the fuzzer found, replayed on every run before the random cases. */
const validDe = (name: string) => ({
  id: 'fZzNulDe001',
  name,
  shortName: 'fuzz',
  valueType: 'NUMBER',
  aggregationType: 'SUM',
  domainType: 'AGGREGATE',
});
const regression = (body: unknown, atomicMode: string): FuzzRequest => ({
  body,
  params: {
    importStrategy: undefined,
    atomicMode,
    importMode: undefined,
    identifier: undefined,
    dryRun: undefined,
    skipSharing: undefined,
  },
  encoding: 'plain',
  contentType: 'application/json',
  repeatParam: false,
});
const EXAMPLES: [FuzzRequest][] = [
  // NUL in a name: PostgreSQL text refused it and the import answered 500.
  [regression({ dataElements: [validDe('a\u0000b')] }, 'NONE')],
  [regression({ organisationUnits: [{ name: '\u0000', shortName: 'x' }] }, 'ALL')],
  // Two lone surrogates: PGlite built a malformed array literal from them (500 on PGlite).
  [regression({ dataElements: [validDe('\udc00\udc00')] }, 'NONE')],
  [regression({ categoryOptions: [{ name: '\u202e\ud800', shortName: '\udc00' }] }, 'ALL')],
];

/** Outcomes seen, printed as a test diagnostic so a run shows what it really exercised. */
const tally = new Map<string, number>();

async function property(server: TestServer, r: FuzzRequest): Promise<void> {
  const { url, init } = encode(r);
  const before = await fingerprint(server);
  const beforeState = await storeState(server);
  const a = await answer(await server.request(url, init), `POST ${url}`, true, server);
  await assertAlive(server);
  const after = await fingerprint(server);

  const m = a.json as { httpStatusCode?: number; status?: string; response?: ReportJson };
  const outcome = `${a.status} ${m.response?.status ?? String(m.status)}`;
  tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
  if (a.status !== 200 && a.status !== 409) {
    assertWebMessage(a, `POST ${url}`);
    assert.equal(after, before, `a refused import (${a.status}) wrote: ${a.text.slice(0, 300)}`);
    return;
  }
  assert.equal(m.httpStatusCode, a.status, a.text.slice(0, 300));
  const report = m.response!;
  assert.equal(report?.responseType, 'ImportReport', a.text.slice(0, 300));
  const validate = r.params.importMode === 'VALIDATE' || r.params.dryRun === 'true';
  const atomic = r.params.atomicMode !== 'NONE';
  if (a.status === 409) assert.equal(report.status, 'ERROR');
  if (validate) assert.equal(after, before, 'a VALIDATE / dryRun import wrote');
  if (atomic && report.status === 'ERROR')
    assert.equal(after, before, `an ALL import with errors wrote: ${a.text.slice(0, 500)}`);
  // What changed is exactly what the report says changed (nothing, for the cases above).
  const actual = diffStates(beforeState, await storeState(server));
  const expected = validate ? new Map() : claimed(report);
  assert.deepEqual(
    Object.fromEntries(actual),
    Object.fromEntries(expected),
    `store changes differ from the report: ${a.text.slice(0, 1500)}`,
  );
}

/** The property: never answers 5xx, never writes part of a refused import, reports what it wrote. */
export async function fuzzImport(server: TestServer, t: TestContext): Promise<void> {
  tally.clear();
  await check(
    'metadata import',
    fc.asyncProperty(requestArb, (r) => property(server, r)),
    fuzzParams(60, { examples: EXAMPLES }),
  );
  t.diagnostic(`outcomes: ${JSON.stringify(Object.fromEntries(tally))}`);
}
