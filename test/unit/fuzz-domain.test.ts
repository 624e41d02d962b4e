/**
 * Pure-domain fuzzing (issue 10 §5): the parsers and planners that every request body, query
 * string and snapshot goes through, given arbitrary JSON, mutated DHIS2 payloads and arbitrary
 * text. Each either returns a well-formed result or throws the domain's typed error (AppError,
 * which the HTTP layer renders as a 4xx WebMessage) — never a TypeError, RangeError or
 * anything else that would become a 500.
 *
 * METASYNC_FUZZ_RUNS=5000 runs more cases; a failure prints the seed to replay it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isAppError } from '../../src/domain/errors.ts';
import { applyFields, parseFields } from '../../src/domain/metadata/fields.ts';
import { matchesAll, parseFilter, parseOrder, sortBy } from '../../src/domain/metadata/filter.ts';
import {
  ATOMIC_MODES,
  IDENTIFIERS,
  IMPORT_MODES,
  IMPORT_STRATEGIES,
} from '../../src/domain/metadata/import-params.ts';
import { parsePayload } from '../../src/domain/metadata/parse-payload.ts';
import { planImport, type ImportLookups } from '../../src/domain/metadata/plan-import.ts';
import { lookupKeys, prepareEntries } from '../../src/domain/metadata/prepare-entries.ts';
import { parsePeriod } from '../../src/domain/data/periods.ts';
import { parseSettingValue } from '../../src/domain/settings/parse-setting.ts';
import { SETTINGS } from '../../src/domain/settings/registry.ts';
import { hasUnstorableText, unstorable } from '../../src/domain/text.ts';
import { versionNumber } from '../../src/domain/versioning/version.ts';
import { nextExecution } from '../../src/domain/jobs/cron-next.ts';
import { parseCron } from '../../src/domain/jobs/cron-parse.ts';
import { fuzzParams, nastyString, PROTO_KEYS } from '../support/fuzz.ts';
import { importBody } from '../support/fuzz-payloads.ts';

/** Runs `f`; it may return or throw an AppError, nothing else. */
function typed<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    assert.ok(isAppError(e), `threw a ${(e as Error)?.name}: ${(e as Error)?.message}`);
    return undefined;
  }
}

/** JSON as JSON.parse gives it, including own `__proto__` / `constructor` keys. */
const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  importBody,
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown),
  fc
    .tuple(fc.constantFrom(...PROTO_KEYS), fc.jsonValue({ maxDepth: 2 }))
    .map(([k, v]) => JSON.parse(`{${JSON.stringify(k)}: ${JSON.stringify(v)}}`) as unknown),
);

const emptyLookups: ImportLookups = {
  byId: new Map(),
  byCode: new Map(),
  byName: new Map(),
  byUnique: new Map(),
  existing: new Set(),
  referencedBy: new Map(),
};

const paramsArb = fc.record({
  importStrategy: fc.constantFrom(...IMPORT_STRATEGIES),
  atomicMode: fc.constantFrom(...ATOMIC_MODES),
  importMode: fc.constantFrom(...IMPORT_MODES),
  identifier: fc.constantFrom(...IDENTIFIERS),
  skipSharing: fc.boolean(),
});

const text = fc.oneof(
  fc.string({ maxLength: 60 }),
  nastyString().map((s) => s.slice(0, 5000)),
);

describe('fuzz: domain parsers', () => {
  it('parse → prepare → plan an import: typed errors only, consistent reports', () => {
    let n = 0;
    fc.assert(
      fc.property(hostileJson, paramsArb, (body, params) => {
        const parsed = typed(() => parsePayload(body));
        if (!parsed) return;
        const prepared = prepareEntries(parsed.entries);
        lookupKeys(prepared);
        const plan = planImport(prepared, emptyLookups, {
          params,
          now: new Date(0),
          actorId: 'M5zQapPyTZI',
          newUid: () => `a${String(n++).padStart(10, '0')}`,
        });
        const { report } = plan;
        for (const t of report.typeReports) {
          const s = t.stats;
          assert.equal(s.created + s.updated + s.deleted + s.ignored, s.total, JSON.stringify(t));
        }
        if (report.status === 'ERROR') assert.equal(plan.writes.length + plan.deletes.length, 0);
        if (params.atomicMode === 'ALL' && report.stats.ignored > 0 && report.status !== 'OK')
          assert.equal(plan.writes.length + plan.deletes.length, 0);
        // Nothing the store would refuse reaches a write.
        for (const w of plan.writes)
          for (const s of [w.id, w.code ?? '', w.name ?? '', w.scope])
            assert.ok(!unstorable(s), `unstorable text planned for writing: ${JSON.stringify(s)}`);
      }),
      fuzzParams(400),
    );
  });

  it('setting values: a result or a reason, and an accepted string is storable', () => {
    const defs = [...SETTINGS.values()];
    fc.assert(
      fc.property(fc.constantFrom(...defs), fc.oneof(hostileJson, text), (def, raw) => {
        const r = parseSettingValue(def, raw);
        if (!r.ok) {
          assert.equal(typeof r.reason, 'string');
          return;
        }
        const v = r.value;
        if (v === null) return;
        const expected =
          def.type === 'integer' ? 'number' : def.type === 'boolean' ? 'boolean' : 'string';
        assert.equal(typeof v, expected, `${def.key} parsed ${JSON.stringify(raw)} as ${v}`);
        if (typeof v === 'string') assert.ok(!unstorable(v), `${def.key}: ${JSON.stringify(v)}`);
        if (typeof v === 'number' && def.min !== undefined) assert.ok(v >= def.min);
        if (typeof v === 'number' && def.max !== undefined) assert.ok(v <= def.max);
      }),
      fuzzParams(2000),
    );
  });

  it('fields, filter and order: typed errors only, and applying them never throws', () => {
    const spec = fc.oneof(
      text,
      fc
        .array(
          fc.constantFrom(
            'id',
            'name',
            '[',
            ']',
            ',',
            '!',
            ':all',
            '*',
            '~',
            '(',
            ')',
            '__proto__',
          ),
          {
            maxLength: 12,
          },
        )
        .map((a) => a.join('')),
    );
    const filter = fc.oneof(
      text,
      fc
        .tuple(
          fc.constantFrom(
            'id',
            'name',
            'code',
            'parent.id',
            '__proto__',
            'constructor',
            'a..b',
            'x',
          ),
          fc.constantFrom('eq', 'in', '!in', 'like', 'ilike', 'null', 'gt', 'le', 'token', 'zz'),
          text,
        )
        .map(([p, op, v]) => `${p}:${op}:${v}`),
    );
    fc.assert(
      fc.property(spec, fc.array(filter, { maxLength: 3 }), text, hostileJson, (f, fs, o, obj) => {
        const tree = typed(() => parseFields(f));
        if (tree) applyFields(obj, tree);
        const filters = fs.map((x) => typed(() => parseFilter(x)));
        if (filters.every((x) => x !== undefined))
          for (const junction of ['AND', 'OR'] as const)
            matchesAll(obj, filters as NonNullable<(typeof filters)[number]>[], junction);
        const order = typed(() => parseOrder(o));
        if (order) sortBy([obj, { name: 'b' }, null, 5] as Record<string, unknown>[], order);
      }),
      fuzzParams(2000),
    );
  });

  it('unstorable text is exactly NUL or ill-formed UTF-16', () => {
    const unit = fc.constantFrom('a', '\u0000', '\ud800', '\udbff', '\udc00', '\udfff', '😀', 'é');
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit, maxLength: 8 }), fc.string({ unit: 'binary' })),
        (s) => {
          const wellFormed = (s as string & { isWellFormed(): boolean }).isWellFormed();
          assert.equal(unstorable(s), s.includes('\u0000') || !wellFormed, JSON.stringify(s));
          assert.equal(hasUnstorableText({ [s]: 1 }), unstorable(s));
          assert.equal(hasUnstorableText([[{ x: s }]]), unstorable(s));
        },
      ),
      fuzzParams(3000),
    );
  });

  it('periods, version names and cron expressions: never throw', () => {
    fc.assert(
      fc.property(text, (s) => {
        parsePeriod(s);
        versionNumber(s);
        const c = parseCron(s);
        if (c.ok) nextExecution(c.schedule, new Date('2026-03-29T00:30:00Z'), 'Europe/Berlin');
      }),
      fuzzParams(3000),
    );
  });
});
