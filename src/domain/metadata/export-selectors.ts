/**
 * The query of `GET /api/metadata` read as DHIS2 reads it (issue 16 §9), following
 * `DefaultMetadataExportService.getParamsFromMap` and `getMetadata` (2.39.0, 2.41.9.1, 2.43.1):
 *
 * - `fields`, `filter`, `order` are the defaults for every type; `defaults` says whether the
 *   "default" objects are exported (the first value counts). `rootJunction` is not read: the
 *   export's filters always combine with AND. There is no paging.
 * - Any other key is `<type>` or `<type>:<selector>`, split at colons as Java splits. A type is
 *   exported when one of its values is `true` and none `false` (any case), or when the key names
 *   a `fields`, `filter` or `order` selector (any case) whatever its value. Keys whose first part
 *   is not a type plural are ignored, as are other selectors.
 * - When no type is selected every type is exported, so `dataElements=false` alone deselects
 *   nothing.
 * - A type's own `fields` replace the default ones. A type with its own `filter` or `order` is
 *   queried with those alone: the default filters and orders no longer apply to it, even the
 *   default filter when the type gives only an order.
 * - Orders are `property[:direction]`, one per value (no comma lists), the first per property
 *   counts, and an unknown direction sorts ascending (2.43; 2.39–2.41 skip it). Without an order
 *   DHIS2 sorts by name then id, which is the store's order.
 *
 * A default `filter` is parsed only if some type uses it, as DHIS2 parses it per type.
 */
import { errors } from '../errors.ts';
import { parseFields, type FieldTree } from './fields.ts';
import { javaSplit, parseFilter, type Filter, type Order } from './filter.ts';

export type QueryValue = string | readonly string[] | undefined;

export interface TypeExport {
  /** Plural type key, e.g. `dataElements`. */
  type: string;
  fields: FieldTree;
  filters: Filter[];
  orders: Order[];
}

export interface ExportQuery {
  /** The types to export, in the order of the `types` argument. */
  types: TypeExport[];
  defaults: 'INCLUDE' | 'EXCLUDE';
}

const SELECTORS = ['fields', 'filter', 'order'] as const;
type Selector = (typeof SELECTORS)[number];

const valuesOf = (v: QueryValue): readonly string[] =>
  v === undefined ? [] : typeof v === 'string' ? [v] : v;

/** DHIS2's `isSelectedClass`: some value is `true`, and none is `false`. */
const selects = (vs: readonly string[]) =>
  vs.some((v) => v.toLowerCase() === 'true') && !vs.some((v) => v.toLowerCase() === 'false');

const DIRECTIONS: Record<string, Pick<Order, 'direction' | 'caseInsensitive'>> = {
  asc: { direction: 1, caseInsensitive: false },
  iasc: { direction: 1, caseInsensitive: true },
  desc: { direction: -1, caseInsensitive: false },
  idesc: { direction: -1, caseInsensitive: true },
};

/**
 * DHIS2 2.43's `Order.parse` over one list of order values. The property is one name (a dotted
 * one names no property); metasync has no property schema, so an unknown one sorts nothing where
 * 2.43 answers 400 "No such property" (docs/deviations.md).
 */
export function parseExportOrders(values: readonly string[]): Order[] {
  const seen = new Set<string>();
  const orders: Order[] = [];
  for (const value of values) {
    const parts = javaSplit(value, ':');
    const property = parts[0];
    if (property === undefined || seen.has(property)) continue;
    seen.add(property);
    const d = parts.length === 2 ? parts[1]!.toLowerCase() : 'asc';
    orders.push({ path: [property], ...(DIRECTIONS[d] ?? DIRECTIONS.asc!) });
  }
  return orders;
}

/** DHIS2's `Defaults.valueOf` on the first value: anything but the two names is a 400. */
function parseDefaults(v: QueryValue): 'INCLUDE' | 'EXCLUDE' {
  const first = valuesOf(v)[0];
  if (first === undefined || first === 'INCLUDE' || first === 'EXCLUDE') return first ?? 'INCLUDE';
  throw errors.badRequest(`No enum constant org.hisp.dhis.fieldfilter.Defaults.${first}`);
}

/**
 * Reads an export query. `types` are the exportable type plurals (case-sensitive, as DHIS2's
 * schema lookup); throws QUERY_INVALID for a filter DHIS2 refuses, BAD_REQUEST for bad `fields`
 * or `defaults`.
 */
export function parseExportQuery(
  query: Readonly<Record<string, QueryValue>>,
  types: readonly string[],
): ExportQuery {
  const known = new Set(types);
  const chosen = new Map<string, Partial<Record<Selector, string[]>>>();
  for (const [key, raw] of Object.entries(query)) {
    if (key === 'fields' || key === 'filter' || key === 'order' || key === 'defaults') continue;
    const parts = javaSplit(key, ':');
    const type = parts[0];
    if (type === undefined || !known.has(type)) continue;
    const selector = SELECTORS.find((s) => s === parts[1]?.toLowerCase());
    const vs = valuesOf(raw);
    if (!selector && !selects(vs)) continue;
    const own = chosen.get(type) ?? {};
    chosen.set(type, own);
    if (selector) own[selector] = [...(own[selector] ?? []), ...vs];
  }

  // Parsed once, and only when a type falls back to them (DHIS2 parses them per type).
  let defaultFields: FieldTree | undefined;
  let defaultFilters: Filter[] | undefined;
  let defaultOrders: Order[] | undefined;
  const fieldsOf = (own: string[] | undefined) =>
    own
      ? parseFields(own.join(','))
      : (defaultFields ??= parseFields(valuesOf(query.fields).join(',') || ':owner'));

  const out: TypeExport[] = [];
  for (const type of types) {
    if (chosen.size > 0 && !chosen.has(type)) continue;
    const own = chosen.get(type) ?? {};
    const fields = fieldsOf(own.fields);
    if (own.filter || own.order) {
      const filters = (own.filter ?? []).map(parseFilter);
      out.push({ type, fields, filters, orders: parseExportOrders(own.order ?? []) });
    } else {
      defaultFilters ??= valuesOf(query.filter).map(parseFilter);
      defaultOrders ??= parseExportOrders(valuesOf(query.order));
      out.push({ type, fields, filters: defaultFilters, orders: defaultOrders });
    }
  }
  return { types: out, defaults: parseDefaults(query.defaults) };
}

/** What the store narrows by index, and the filters left to evaluate on the objects. */
export interface StoreQuery {
  /** From the first `lastUpdated:ge:<date>` (the common incremental export). */
  since: Date | null;
  /** From the first `id:eq:` or `id:in:[…]` (the `type:filter=id:in:[a,b]` export). */
  ids: string[] | null;
  rest: Filter[];
}

/**
 * Splits a type's filters into what the store's indexes answer and the rest. Sound because the
 * export's filters always combine with AND, and the store compares as the filters do (ids as
 * text; dates as instants, which is how DHIS2 compares them).
 */
export function storeQuery(filters: readonly Filter[]): StoreQuery {
  let since: Date | null = null;
  let ids: string[] | null = null;
  const rest: Filter[] = [];
  for (const f of filters) {
    const path = f.path.length === 1 ? f.path[0] : undefined;
    const date = path === 'lastUpdated' && f.op === 'ge' ? new Date(f.value) : null;
    if (!since && date && !Number.isNaN(date.getTime())) since = date;
    else if (!ids && path === 'id' && f.op === 'eq') ids = [f.value];
    else if (!ids && path === 'id' && f.op === 'in') ids = f.value.slice(1, -1).split(',');
    else rest.push(f);
  }
  return { since, ids, rest };
}
