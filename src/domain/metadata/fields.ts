/**
 * DHIS2's `fields=` parameter (issue 4 §3): `id,name,categoryCombo[id],dataSetElements[dataElement]`,
 * presets (`*`, `:all`, `:owner`, `:identifiable`, `:nameable`) and exclusions (`!code`).
 * Applied to stored objects; `displayName` and `displayShortName` are computed from the names.
 */
import { errors } from '../errors.ts';

export interface FieldTree {
  all: boolean;
  include: Map<string, FieldTree | null>;
  exclude: Set<string>;
}

const PRESETS: Record<string, string[] | 'all'> = {
  '*': 'all',
  ':all': 'all',
  ':owner': 'all',
  ':persisted': 'all',
  ':identifiable': [
    'id',
    'name',
    'code',
    'created',
    'lastUpdated',
    'createdBy',
    'lastUpdatedBy',
    'attributeValues',
  ],
  ':nameable': [
    'id',
    'name',
    'shortName',
    'code',
    'description',
    'created',
    'lastUpdated',
    'createdBy',
    'lastUpdatedBy',
    'attributeValues',
  ],
  ':simple': 'all',
};

function splitTop(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) throw errors.badRequest(`Unbalanced brackets in fields: ${s}`);
  }
  if (depth !== 0) throw errors.badRequest(`Unbalanced brackets in fields: ${s}`);
  parts.push(s.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

export function parseFields(spec: string, depth = 0): FieldTree {
  if (depth > 10) throw errors.badRequest('fields are nested too deeply');
  const tree: FieldTree = { all: false, include: new Map(), exclude: new Set() };
  for (const part of splitTop(spec)) {
    if (part.startsWith('!')) {
      tree.exclude.add(part.slice(1));
      continue;
    }
    // Own keys only: `fields=valueOf` must not find Object.prototype.valueOf (it answered 500).
    const preset = Object.hasOwn(PRESETS, part) ? PRESETS[part] : undefined;
    if (preset === 'all') tree.all = true;
    else if (preset) for (const f of preset) tree.include.set(f, null);
    else {
      const m = /^([A-Za-z0-9_]+)\s*(?:[[(](.*)[\])])?$/.exec(part);
      if (!m) throw errors.badRequest(`Invalid field: ${part}`);
      // `name~rename(x)` transformers are not supported; nested specs are.
      tree.include.set(m[1]!, m[2] !== undefined ? parseFields(m[2], depth + 1) : null);
    }
  }
  return tree;
}

const DISPLAY: Record<string, string[]> = {
  displayName: ['displayName', 'name', 'username'],
  displayShortName: ['displayShortName', 'shortName', 'name'],
  displayFormName: ['displayFormName', 'formName', 'name'],
  displayDescription: ['displayDescription', 'description'],
};

function field(obj: Record<string, unknown>, name: string): unknown {
  // Own properties only: `fields=constructor` is not the object's constructor function.
  if (Object.hasOwn(obj, name)) return obj[name];
  const display = Object.hasOwn(DISPLAY, name) ? DISPLAY[name] : undefined;
  if (display) for (const src of display) if (obj[src] !== undefined) return obj[src];
  return undefined;
}

export function applyFields(value: unknown, tree: FieldTree | null): unknown {
  if (tree === null) return value;
  if (Array.isArray(value)) return value.map((v) => applyFields(v, tree));
  if (typeof value !== 'object' || value === null) return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (tree.all) for (const [k, v] of Object.entries(obj)) if (!tree.exclude.has(k)) out[k] = v;
  for (const [name, sub] of tree.include) {
    if (tree.exclude.has(name)) continue;
    const v = field(obj, name);
    if (v !== undefined) out[name] = applyFields(v, sub);
  }
  return out;
}
