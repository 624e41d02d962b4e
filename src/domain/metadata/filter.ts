/**
 * DHIS2's `filter=property:operator:value` (issue 4 §3), evaluated on stored objects. A dotted
 * path walks into nested objects and arrays (`dataSetElements.dataElement.id:eq:X` matches when
 * any element does). Several filters combine with AND, or OR with `rootJunction=OR` on
 * `GET /api/{type}` (the export always uses AND). Syntax and operators follow DHIS2's query parser
 * (issue 16 §9).
 */
import { errors } from '../errors.ts';
import { isValidUid } from '../uid.ts';

export interface Filter {
  path: string[];
  op: string;
  value: string;
}

/**
 * The operators DHIS2's query parser knows (DefaultJpaQueryParser 2.39/2.41, DefaultQueryParser
 * 2.43; `ieq` from 2.41, `!empty` from 2.43), also the fuzzers' vocabulary.
 */
export const FILTER_OPERATORS: ReadonlySet<string> = new Set([
  'eq',
  'ieq',
  '!eq',
  'ne',
  'neq',
  'gt',
  'ge',
  'gte',
  'lt',
  'le',
  'lte',
  'like',
  '!like',
  '$like',
  '!$like',
  'like$',
  '!like$',
  'ilike',
  '!ilike',
  '$ilike',
  'startsWith',
  '!$ilike',
  'ilike$',
  'endsWith',
  '!ilike$',
  'token',
  '!token',
  'in',
  '!in',
  'null',
  '!null',
  'empty',
  '!empty',
]);
const UNARY = new Set(['null', '!null', 'empty', '!empty']);
/** Spellings DHIS2 treats as one operator. */
const ALIAS: Record<string, string> = {
  ne: '!eq',
  neq: '!eq',
  gte: 'ge',
  lte: 'le',
  startsWith: '$ilike',
  endsWith: 'ilike$',
};

/** Java's `String.split(":")`: trailing empty parts are dropped, inner and leading ones kept. */
export function javaSplit(s: string, sep: string): string[] {
  const parts = s.split(sep);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/**
 * One `property:operator[:value]` as DHIS2's query parser reads it: the value is everything
 * after the second colon (it may hold colons), `in` takes `[a,b]`, and every refusal is a
 * QueryParserException (409 with DHIS2's message, CrudControllerAdvice). metasync has no
 * property schema, so an unknown property matches as a missing one instead of 409
 * (docs/deviations.md).
 */
export function parseFilter(s: string): Filter {
  const parts = javaSplit(s, ':');
  if (parts.length < 2) throw errors.queryInvalid(`Invalid filter => ${s}`);
  const [path, rawOp] = parts as [string, string];
  const value = parts.length >= 3 ? s.slice(path.length + rawOp.length + 2) : null;
  if (!/^[A-Za-z0-9_.]+$/.test(path)) throw errors.queryInvalid(`Unknown path property: ${path}`);
  if (!FILTER_OPERATORS.has(rawOp))
    throw errors.queryInvalid(`\`${rawOp}\` is not a valid operator.`);
  const op = Object.hasOwn(ALIAS, rawOp) ? ALIAS[rawOp]! : rawOp;
  if (UNARY.has(op)) return { path: path.split('.'), op, value: value ?? '' };
  if (op === 'in' || op === '!in') {
    // QueryUtils.parseValue: a collection is `[a,b]`; anything else is read as a collection size.
    if (value === null) throw errors.queryInvalid(`Invalid argument \`null\` for in operator.`);
    if (!value.startsWith('[') || !value.endsWith(']'))
      throw errors.queryInvalid(
        /^-?\d+$/.test(value)
          ? `Invalid argument \`${value}\` for in operator.`
          : `Collection size must be integer \`${value}\``,
      );
  }
  if (value === null) throw errors.queryInvalid(`Filter needs a value: ${s}`);
  return { path: path.split('.'), op, value };
}

const own = (o: Record<string, unknown>, key: string): unknown =>
  Object.hasOwn(o, key) ? o[key] : undefined;

function values(obj: unknown, path: readonly string[]): unknown[] {
  let current: unknown[] = [obj];
  for (const key of path) {
    const next: unknown[] = [];
    for (const c of current) {
      // Own properties only, so `filter=constructor:!null` does not match every object.
      if (Array.isArray(c)) {
        for (const e of c)
          if (e && typeof e === 'object') next.push(own(e as Record<string, unknown>, key));
      } else if (c && typeof c === 'object') next.push(own(c as Record<string, unknown>, key));
    }
    current = next.flatMap((v) => (Array.isArray(v) && key !== path[path.length - 1] ? v : [v]));
  }
  return current;
}

const text = (v: unknown) =>
  v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);

function compare(a: unknown, b: string): number {
  const n = Number(b);
  if (typeof a === 'number' && !Number.isNaN(n)) return a - n;
  const as = text(a);
  return as < b ? -1 : as > b ? 1 : 0;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** DHIS2's token match: every word of the value starts a word of the property, any case. */
function tokens(s: string, value: string): boolean {
  const words = value.split(/\s+/).filter(Boolean);
  return words.every((w) => new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(w)}`, 'iu').test(s));
}

const isEmpty = (v: unknown) =>
  v === undefined || v === null || (Array.isArray(v) && v.length === 0) || v === '';

function test(v: unknown, f: Filter): boolean {
  const s = text(v);
  // The like family is case-sensitive, the ilike family not; DHIS2 drops `%` from their values.
  const like = f.value.replaceAll('%', '');
  const ls = s.toLowerCase();
  const ll = like.toLowerCase();
  switch (f.op) {
    case 'eq':
      return s === f.value;
    case 'ieq':
      return ls === f.value.toLowerCase();
    case '!eq':
      return s !== f.value;
    case 'like':
      return s.includes(like);
    case '!like':
      return !s.includes(like);
    case '$like':
      return s.startsWith(like);
    case '!$like':
      return !s.startsWith(like);
    case 'like$':
      return s.endsWith(like);
    case '!like$':
      return !s.endsWith(like);
    case 'ilike':
      return ls.includes(ll);
    case '!ilike':
      return !ls.includes(ll);
    case '$ilike':
      return ls.startsWith(ll);
    case '!$ilike':
      return !ls.startsWith(ll);
    case 'ilike$':
      return ls.endsWith(ll);
    case '!ilike$':
      return !ls.endsWith(ll);
    case 'token':
      return tokens(s, f.value);
    case '!token':
      return !tokens(s, f.value);
    case 'in':
    case '!in':
      return f.value.slice(1, -1).split(',').includes(s) === (f.op === 'in');
    case 'null':
      return v === undefined || v === null;
    case '!null':
      return v !== undefined && v !== null;
    case 'empty':
      return isEmpty(v);
    case '!empty':
      return !isEmpty(v);
    case 'gt':
      return v !== undefined && compare(v, f.value) > 0;
    case 'ge':
      return v !== undefined && compare(v, f.value) >= 0;
    case 'lt':
      return v !== undefined && compare(v, f.value) < 0;
    case 'le':
      return v !== undefined && compare(v, f.value) <= 0;
    default:
      return false;
  }
}

/**
 * The values a filter path reaches. As DHIS2's parser: a single uid that is no property names an
 * attribute (the values of `attributeValues` for it).
 */
function reached(obj: unknown, path: readonly string[]): unknown[] {
  const [first] = path;
  if (path.length !== 1 || !isValidUid(first!) || !obj || typeof obj !== 'object')
    return values(obj, path);
  if (Object.hasOwn(obj, first!)) return values(obj, path);
  const avs = own(obj as Record<string, unknown>, 'attributeValues');
  if (!Array.isArray(avs)) return [];
  return avs
    .filter((av) => values(av, ['attribute', 'id'])[0] === first)
    .map((av) => values(av, ['value'])[0]);
}

/** DHIS2's `identifiable` path: any of id, code, name and shortName (DefaultJpaQueryParser). */
const IDENTIFIABLE = ['id', 'code', 'name', 'shortName'];

export function matches(obj: unknown, f: Filter): boolean {
  if (f.path.length === 1 && f.path[0] === 'identifiable')
    return IDENTIFIABLE.some((p) => matches(obj, { ...f, path: [p] }));
  const vs = reached(obj, f.path);
  // A negation (and `null`, `empty`) holds for every value reached, including none at all;
  // `!null` and `!empty` need one value that is there.
  const all = f.op === 'null' || f.op === 'empty' || (f.op.startsWith('!') && !UNARY.has(f.op));
  return all ? vs.every((v) => test(v, f)) : vs.some((v) => test(v, f));
}

export function matchesAll(
  obj: unknown,
  filters: readonly Filter[],
  junction: 'AND' | 'OR',
): boolean {
  if (filters.length === 0) return true;
  return junction === 'AND'
    ? filters.every((f) => matches(obj, f))
    : filters.some((f) => matches(obj, f));
}

export interface Order {
  path: string[];
  direction: 1 | -1;
  caseInsensitive: boolean;
}

export function parseOrder(s: string): Order[] {
  return s
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const [prop, dir = 'asc'] = p.split(':');
      if (!prop || !/^[A-Za-z0-9_.]+$/.test(prop) || !/^(asc|desc|iasc|idesc)$/i.test(dir))
        throw errors.badRequest(`Invalid order: ${p}`);
      const d = dir.toLowerCase();
      return {
        path: prop.split('.'),
        direction: d.endsWith('desc') ? -1 : 1,
        caseInsensitive: d.startsWith('i'),
      };
    });
}

/** Absent values sort as PostgreSQL's NULLs (and DHIS2's in-memory sorter): after all others. */
function compareValues(a: unknown, b: unknown, caseInsensitive: boolean): number {
  const missing = (v: unknown) => v === undefined || v === null;
  if (missing(a) || missing(b)) return missing(a) === missing(b) ? 0 : missing(a) ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const ta = caseInsensitive ? text(a).toLowerCase() : text(a);
  const tb = caseInsensitive ? text(b).toLowerCase() : text(b);
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

/** Sorts in place, stably: ties keep the store's order. */
export function sortBy<T>(items: T[], orders: readonly Order[]): T[] {
  if (orders.length === 0) return items;
  return items.sort((a, b) => {
    for (const ord of orders) {
      const c = compareValues(values(a, ord.path)[0], values(b, ord.path)[0], ord.caseInsensitive);
      if (c !== 0) return c * ord.direction;
    }
    return 0;
  });
}
