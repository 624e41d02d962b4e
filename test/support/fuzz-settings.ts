/**
 * Bad-input fuzzing of the system settings API (issue 10 §5), on both backends over real HTTP:
 * random values for every registered key (src/domain/settings/registry.ts), valid and invalid
 * for its type, plus odd strings and arbitrary JSON, sent as a bulk object, as a JSON value, as
 * text/plain and as ?value=. Properties:
 *
 * - never 5xx; every refusal is a 400 WebMessage; the server still answers;
 * - a request whose values are all valid is stored, and each value reads back as sent (parsed);
 * - a request with any invalid value or unknown key changes no setting at all (bulk is
 *   all-or-nothing), compared on the stored rows.
 *
 * METASYNC_FUZZ_RUNS=500 runs more cases; a failure prints the seed to replay it.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { SETTINGS, type SettingDef } from '../../src/domain/settings/registry.ts';
import { unstorable } from '../../src/domain/text.ts';
import {
  answer,
  assertAlive,
  assertWebMessage,
  check,
  fuzzParams,
  nastyString,
  percentEncode,
} from './fuzz.ts';
import type { TestServer } from './server.ts';

type Value = string | number | boolean | null;
/** A value to send; `expect` is what must be stored, `undefined` when the value is invalid. */
interface Case {
  key: string;
  value: unknown;
  expect: Value | undefined;
  /** False when we do not know (arbitrary JSON): then only "no 5xx, all or nothing" holds. */
  known: boolean;
}

// A managed key (issue 20 §1) refuses every change through this API: its own test covers it.
const DEFS = [...SETTINGS.values()].filter((d) => !d.managed);
const plainText = fc
  .string({ unit: 'grapheme', maxLength: 60 })
  .filter((s) => !s.includes('\u0000'));

function validValue(def: SettingDef): fc.Arbitrary<{ value: unknown; expect: Value }> {
  const same = (a: fc.Arbitrary<Value>) => a.map((v) => ({ value: v, expect: v }));
  switch (def.type) {
    case 'boolean':
      return fc.oneof(
        same(fc.boolean()),
        fc.boolean().map((b) => ({ value: String(b), expect: b })),
      );
    case 'integer': {
      const n = fc.integer({ min: def.min ?? -1e9, max: Math.min(def.max ?? 1e9, 2 ** 31) });
      return fc.oneof(
        same(n),
        n.map((v) => ({ value: String(v), expect: v })),
      );
    }
    case 'date': {
      const d = fc.date({
        min: new Date('1970-01-02T00:00:00Z'),
        max: new Date('2100-01-01T00:00:00Z'),
        noInvalidDate: true,
      });
      return fc.oneof(
        d.map((v) => ({ value: v.toISOString(), expect: v.toISOString() })),
        d.map((v) => ({ value: v.getTime(), expect: v.toISOString() })),
        d.map((v) => ({ value: String(v.getTime()), expect: v.toISOString() })),
        fc.constant({ value: '', expect: null }),
      );
    }
    case 'string': {
      if (def.key.endsWith('Url')) return same(fc.oneof(fc.webUrl(), fc.constant('')));
      if (def.check) return same(fc.oneof(fc.emailAddress(), fc.constant('')));
      return same(plainText);
    }
  }
}

function invalidValue(def: SettingDef): fc.Arbitrary<unknown> {
  const wrongType = fc.oneof(
    fc.constant({}),
    fc.constant([]),
    fc.array(fc.integer(), { minLength: 1, maxLength: 2 }),
  );
  switch (def.type) {
    case 'boolean':
      return fc.oneof(wrongType, fc.constantFrom('yes', 'TRUE ', '1', '', 0, 1));
    case 'integer':
      return fc.oneof(
        wrongType,
        fc.constantFrom('', 'abc', '1.5', '1e3', 1.5, true, '0x10', 2 ** 60, -(2 ** 60)),
        ...(def.min !== undefined ? [fc.integer({ max: def.min - 1, min: def.min - 1e6 })] : []),
        ...(def.max !== undefined && def.max < 2 ** 40
          ? [fc.integer({ min: def.max + 1, max: def.max + 1e6 })]
          : []),
      );
    case 'date':
      return fc.oneof(wrongType, fc.constantFrom('not a date', true, 'yesterday', '2024-13-45'));
    case 'string':
      return fc.oneof(
        wrongType,
        fc.constantFrom(5, true, 'x'.repeat(10_001)),
        ...(def.key.endsWith('Url')
          ? [fc.constantFrom('ftp://x', 'not a url', 'javascript:1')]
          : []),
        ...(def.check && !def.key.endsWith('Url') ? [fc.constantFrom('no-at', 'a @b')] : []),
      );
  }
}

const caseArb: fc.Arbitrary<Case> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .constantFrom(...DEFS)
      .chain((def) => validValue(def).map((v) => ({ key: def.key, ...v, known: true }))),
  },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom(...DEFS)
      .chain((def) =>
        invalidValue(def).map((value) => ({ key: def.key, value, expect: undefined, known: true })),
      ),
  },
  // Unknown keys, including prototype keys and odd text.
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString'), nastyString()),
        fc.jsonValue(),
      )
      .filter(([k]) => !SETTINGS.has(k) && k.length > 0 && k.length < 200)
      .map(([key, value]) => ({ key, value, expect: undefined, known: true })),
  },
  // Odd text for a text setting: the database, not the parser, is picky about it.
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...DEFS.filter((d) => d.type === 'string')), nastyString())
      .map(([def, value]) => ({ key: def.key, value, expect: undefined, known: false })),
  },
  // Anything at all for a known key.
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...DEFS), fc.oneof(nastyString(), fc.jsonValue({ maxDepth: 2 })))
      .map(([def, value]) => ({ key: def.key, value, expect: undefined, known: false })),
  },
);

const requestArb = fc.oneof(
  fc.record({
    form: fc.constant('bulk' as const),
    cases: fc.uniqueArray(caseArb, { minLength: 1, maxLength: 4, selector: (c) => c.key }),
  }),
  fc.record({
    form: fc.constantFrom('json' as const, 'json' as const, 'text' as const, 'query' as const),
    cases: caseArb.map((c) => [c]),
  }),
);
type Request = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

/** Regressions the fuzzer found (500: jsonb refused the text), replayed on every run. */
const EXAMPLES: [Request][] = [
  [
    {
      form: 'bulk',
      cases: [
        { key: 'keySystemMetadataVersion', value: '\ud800', expect: undefined, known: true },
        { key: 'keyVersionEnabled', value: 'false', expect: false, known: true },
      ],
    },
  ],
  [
    {
      form: 'json',
      cases: [{ key: 'applicationTitle', value: 'a\u0000b', expect: undefined, known: true }],
    },
  ],
];

/** The stored settings rows (key and value), in key order. */
async function storedRows(server: TestServer): Promise<string> {
  const r = await sql<{ key: string; value: unknown }>`
    select key, value from system_setting order by key`.execute(server.instance.database.db);
  return JSON.stringify(r.rows);
}

/** How a single value goes over the wire; null when this form cannot carry it. */
function singleBody(form: 'json' | 'text' | 'query', value: unknown) {
  if (form === 'json')
    return {
      qs: '',
      init: { headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) },
    };
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
    return null;
  const text = String(value);
  if (form === 'text')
    return { qs: '', init: { headers: { 'content-type': 'text/plain' }, body: text } };
  return { qs: `?value=${percentEncode(text)}`, init: {} };
}

/** Forms and statuses seen, printed as a test diagnostic. */
const tally = new Map<string, number>();

async function property(server: TestServer, r: Request): Promise<void> {
  const before = await storedRows(server);
  let url: string;
  let init: RequestInit;
  if (r.form === 'bulk') {
    const body = Object.create(null) as Record<string, unknown>;
    for (const c of r.cases) body[c.key] = c.value;
    url = '/api/systemSettings';
    init = {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    };
  } else {
    const c = r.cases[0]!;
    const sent = singleBody(r.form, c.value);
    if (!sent) return;
    // As text, 5 is the valid string "5": a wrong JSON type is no longer known to be wrong.
    if (typeof c.value !== 'string' && SETTINGS.get(c.key)?.type === 'string') c.known = false;
    url = `/api/systemSettings/${percentEncode(c.key)}${sent.qs}`;
    init = { method: 'POST', ...sent.init };
  }
  const a = await answer(await server.request(url, init), `POST ${url}`, true, server);
  tally.set(`${r.form} ${a.status}`, (tally.get(`${r.form} ${a.status}`) ?? 0) + 1);
  await assertAlive(server);
  const after = await storedRows(server);

  const allValid = r.cases.every((c) => c.known && c.expect !== undefined);
  const anyInvalid = r.cases.some((c) => c.known && c.expect === undefined);
  if (a.status !== 200) {
    // 400 for a bad value or key; 404 / 431 for a key or ?value= too long for a path or URL.
    assert.ok([400, 404, 431].includes(a.status), a.text.slice(0, 300));
    assertWebMessage(a, `POST ${url}`);
    assert.equal(after, before, `a refused settings update (${a.status}) changed settings`);
    assert.ok(!allValid, `valid values were refused: ${a.text.slice(0, 300)}`);
    return;
  }
  assert.ok(!anyInvalid, `an invalid value was accepted: ${JSON.stringify(r.cases).slice(0, 300)}`);
  // Text the database cannot store is refused, never stored garbled (as JSON; text/plain and
  // ?value= carry UTF-8, where a lone surrogate has already become U+FFFD on the client).
  const asJson = r.form === 'bulk' || r.form === 'json';
  for (const c of r.cases)
    if (typeof c.value === 'string')
      assert.ok(
        !(asJson ? unstorable(c.value) : c.value.includes('\u0000')),
        `accepted ${JSON.stringify(c.value)} for ${c.key} (${r.form})`,
      );
  server.instance.services.settings.invalidate();
  for (const c of r.cases) {
    if (!c.known) continue;
    const def = SETTINGS.get(c.key)!;
    if (def.secret) {
      const status = await server.request('/api/metasync/secretSettings');
      const set = ((await status.json()) as Record<string, boolean>)[c.key];
      assert.equal(set, c.expect !== '' && c.expect !== null, c.key);
      continue;
    }
    const got = await server.request(`/api/systemSettings/${c.key}`);
    assert.equal(got.status, 200);
    const value = ((await got.json()) as Record<string, unknown>)[c.key];
    assert.deepEqual(value, c.expect, `${c.key} sent ${JSON.stringify(c.value)} (${r.form})`);
  }
}

/** The property: valid values are stored as sent, invalid ones refused whole, never a 5xx. */
export async function fuzzSettings(server: TestServer, t: TestContext): Promise<void> {
  tally.clear();
  await check(
    'system settings',
    fc.asyncProperty(requestArb, (r) => property(server, r)),
    fuzzParams(60, { examples: EXAMPLES }),
  );
  t.diagnostic(`outcomes: ${JSON.stringify(Object.fromEntries(tally))}`);
}
