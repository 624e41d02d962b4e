/**
 * Arbitraries for bad metadata import payloads (issue 10 §5): arbitrary JSON, and valid generated
 * DHIS2 metadata mutated the ways real files go wrong — fields dropped, retyped or duplicated,
 * ids and codes clashing, references dangling, deep nesting, huge and odd strings, keys that
 * have broken JavaScript object merges (`__proto__`, `constructor`).
 */
import fc from 'fast-check';
import { generateUid } from '../../src/domain/uid.ts';
import { METADATA_TYPES } from '../../src/domain/metadata/types.ts';
import { nastyString, PROTO_KEYS } from './fuzz.ts';
import { generateMetadata, payload } from './generate-metadata.ts';

type Obj = Record<string, unknown>;
type Payload = Record<string, unknown>;

const TYPE_KEYS = METADATA_TYPES.map((t) => t.key);
const FIELDS = ['id', 'code', 'name', 'shortName', 'valueType', 'aggregationType', 'domainType'];
const REF_FIELDS = ['categoryCombo', 'optionSet', 'parent', 'categoryOptions', 'categories'];

/** A valid uid from fast-check's randomness (so that shrinking and replay keep it). */
const uidArb = fc.infiniteStream(fc.nat()).map((s) => {
  const it = s[Symbol.iterator]();
  return generateUid((n) => it.next().value! % n);
});

/** A JSON value nested `depth` levels deep, as arrays or objects. */
const nested = (depth: number, leaf: unknown, asObject: boolean): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = asObject ? { id: generateUid(() => 0), inner: v } : [v];
  return v;
};

/** One edit of a payload; applied in order to a deep copy. */
type Mutation = (p: Payload, pick: (n: number) => number) => void;

/** A random object of the payload (or undefined when it has none). */
function someObject(p: Payload, pick: (n: number) => number): Obj | undefined {
  const lists = Object.values(p).filter((v): v is unknown[] => Array.isArray(v) && v.length > 0);
  if (lists.length === 0) return undefined;
  const list = lists[pick(lists.length)]!;
  const o = list[pick(list.length)];
  return typeof o === 'object' && o !== null && !Array.isArray(o) ? (o as Obj) : undefined;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // Drop a field, required or not.
  fc.constantFrom(...FIELDS, ...REF_FIELDS).map((f): Mutation => (p, pick) => {
    delete someObject(p, pick)?.[f];
  }),
  // Retype a field: any JSON value where a string or a reference belongs.
  fc
    .tuple(fc.constantFrom(...FIELDS, ...REF_FIELDS), fc.jsonValue({ maxDepth: 2 }))
    .map(([f, v]): Mutation => (p, pick) => {
      const o = someObject(p, pick);
      if (o) o[f] = v;
    }),
  // An odd string in a text field (twice as likely: the database is picky about text).
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom('name', 'shortName', 'code', 'id', 'description'), nastyString())
      .map(([f, v]): Mutation => (p, pick) => {
        const o = someObject(p, pick);
        if (o) o[f] = v;
      }),
  },
  // Duplicate an object within its type (same id twice in one payload).
  fc.constant<Mutation>((p, pick) => {
    const keys = Object.keys(p).filter((k) => Array.isArray(p[k]) && (p[k] as unknown[]).length);
    if (keys.length === 0) return;
    const list = p[keys[pick(keys.length)]!] as unknown[];
    list.push(structuredClone(list[pick(list.length)]));
  }),
  // Clash: one object takes another's id, code or name (possibly across types).
  fc.constantFrom('id', 'code', 'name').map((f): Mutation => (p, pick) => {
    const a = someObject(p, pick);
    const b = someObject(p, pick);
    if (a && b) a[f] = b[f];
  }),
  // A dangling or malformed reference.
  fc
    .tuple(fc.constantFrom(...REF_FIELDS), uidArb, fc.boolean())
    .map(([f, id, list]): Mutation => (p, pick) => {
      const o = someObject(p, pick);
      if (o) o[f] = list ? [{ id }, { id: 'not-a-uid' }, null] : { id };
    }),
  // Deep nesting inside an object.
  fc
    .tuple(fc.integer({ min: 10, max: 200 }), fc.boolean())
    .map(([d, asObject]): Mutation => (p, pick) => {
      const o = someObject(p, pick);
      if (o) o.attributeValues = nested(d, 'deep', asObject);
    }),
  // Prototype-pollution keys, on an object or at the top level.
  fc
    .tuple(fc.constantFrom(...PROTO_KEYS), fc.jsonValue({ maxDepth: 2 }), fc.boolean())
    .map(([k, v, top]): Mutation => (p, pick) => {
      const target = top ? p : someObject(p, pick);
      if (target) Object.defineProperty(target, k, { value: v, enumerable: true, writable: true });
    }),
  // A type key holding something other than an array of objects.
  fc
    .tuple(fc.constantFrom(...TYPE_KEYS), fc.jsonValue({ maxDepth: 2 }))
    .map(([k, v]): Mutation => (p) => {
      p[k] = Array.isArray(v) ? v : [v];
    }),
  fc
    .tuple(fc.constantFrom(...TYPE_KEYS), fc.jsonValue({ maxDepth: 1 }))
    .map(([k, v]): Mutation => (p) => {
      p[k] = v;
    }),
  // An unknown type key, or a known one moved under another (a typo, a wrong export).
  fc
    .tuple(fc.string({ maxLength: 12 }), fc.constantFrom(...TYPE_KEYS))
    .map(([k, from]): Mutation => (p) => {
      if (p[from] !== undefined) p[k] = p[from];
    }),
);

/** Generated, valid metadata (small), then 1–6 mutations. */
export const mutatedPayload: fc.Arbitrary<Payload> = fc
  .tuple(
    fc.integer({ min: 1, max: 1_000_000 }),
    fc.array(mutation, { minLength: 1, maxLength: 6 }),
    fc.infiniteStream(fc.nat()),
  )
  .map(([seed, edits, picks]) => {
    const it = picks[Symbol.iterator]();
    const pick = (n: number) => it.next().value! % n;
    const p: Payload = structuredClone(
      payload(generateMetadata(seed, { dataElements: 3, orgUnitFanout: 1, optionsPerSet: 2 })),
    );
    for (const edit of edits) edit(p, pick);
    return p;
  });

/** Whatever a client may send: arbitrary JSON, JSON with metadata keys, mutated metadata. */
export const importBody: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  {
    weight: 1,
    arbitrary: fc.dictionary(
      fc.constantFrom(...TYPE_KEYS, ...PROTO_KEYS, 'system', 'x'),
      fc.oneof(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 4 }), fc.jsonValue()),
      { maxKeys: 4 },
    ),
  },
  { weight: 4, arbitrary: mutatedPayload },
);
