/**
 * DHIS2's `filter=property:operator:value` (issue 4 §3), evaluated on stored objects. A dotted
 * path walks into nested objects and arrays (`dataSetElements.dataElement.id:eq:X` matches when
 * any element does). Several filters combine with AND, or OR with `rootJunction=OR`.
 */
import { errors } from '../errors.ts';

export interface Filter {
  path: string[];
  op: string;
  value: string;
}

/** The operators DHIS2's filter syntax knows (also the fuzzers' vocabulary). */
export const FILTER_OPERATORS: ReadonlySet<string> = new Set([
  'eq',
  '!eq',
  'ne',
  'neq',
  'like',
  '!like',
  'ilike',
  '!ilike',
  '$like',
  'like$',
  '$ilike',
  'ilike$',
  '!$like',
  '!like$',
  'in',
  '!in',
  'null',
  '!null',
  'empty',
  'gt',
  'ge',
  'lt',
  'le',
  'token',
]);
const UNARY = new Set(['null', '!null', 'empty']);

export function parseFilter(s: string): Filter {
  const first = s.indexOf(':');
  const second = first < 0 ? -1 : s.indexOf(':', first + 1);
  const path = (first < 0 ? s : s.slice(0, first)).trim();
  const op = (first < 0 ? '' : second < 0 ? s.slice(first + 1) : s.slice(first + 1, second)).trim();
  const value = second < 0 ? '' : s.slice(second + 1);
  if (!path || !/^[A-Za-z0-9_.]+$/.test(path))
    throw errors.badRequest(`Invalid filter property in: ${s}`);
  if (!FILTER_OPERATORS.has(op))
    throw errors.badRequest(`Invalid filter operator \`${op}\` in: ${s}`);
  if (!UNARY.has(op) && second < 0) throw errors.badRequest(`Filter needs a value: ${s}`);
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

function test(v: unknown, f: Filter): boolean {
  const s = text(v);
  const lv = f.value.toLowerCase();
  switch (f.op) {
    case 'eq':
      return s === f.value;
    case '!eq':
    case 'ne':
    case 'neq':
      return s !== f.value;
    case 'like':
    case 'ilike':
    case 'token':
      return s.toLowerCase().includes(lv);
    case '!like':
    case '!ilike':
      return !s.toLowerCase().includes(lv);
    case '$like':
    case '$ilike':
      return s.toLowerCase().startsWith(lv);
    case '!$like':
      return !s.toLowerCase().startsWith(lv);
    case 'like$':
    case 'ilike$':
      return s.toLowerCase().endsWith(lv);
    case '!like$':
      return !s.toLowerCase().endsWith(lv);
    case 'in':
    case '!in': {
      const list = f.value
        .replace(/^\[|\]$/g, '')
        .split(',')
        .map((x) => x.trim());
      return list.includes(s) === (f.op === 'in');
    }
    case 'null':
      return v === undefined || v === null;
    case '!null':
      return v !== undefined && v !== null;
    case 'empty':
      return v === undefined || v === null || (Array.isArray(v) && v.length === 0) || v === '';
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

export function matches(obj: unknown, f: Filter): boolean {
  const vs = values(obj, f.path);
  if (f.op === 'null' || f.op === 'empty') return vs.length === 0 || vs.every((v) => test(v, f));
  if (f.op.startsWith('!') || f.op === 'ne' || f.op === 'neq')
    return vs.length === 0 || vs.every((v) => test(v, f));
  return vs.some((v) => test(v, f));
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

export function sortBy<T>(items: T[], orders: readonly Order[]): T[] {
  if (orders.length === 0) return items;
  const key = (o: unknown, ord: Order) => {
    const t = text(values(o, ord.path)[0]);
    return ord.caseInsensitive ? t.toLowerCase() : t;
  };
  return items.sort((a, b) => {
    for (const ord of orders) {
      const ka = key(a, ord);
      const kb = key(b, ord);
      if (ka !== kb) return (ka < kb ? -1 : 1) * ord.direction;
    }
    return 0;
  });
}
