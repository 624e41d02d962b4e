/**
 * The property paths where a live object differs from its implied content (issue 23 §1), both
 * values cut to a readable length. Arrays of objects with ids are matched by id
 * (`options[id=abc].code`), so one inserted element is one path, not every index after it.
 */
import type { DriftPath } from './drift.ts';

/** Paths listed per object; more are flagged, not listed. */
export const MAX_PATHS = 20;
/** A value's text is cut to this many characters. */
export const MAX_VALUE = 160;

const cut = (v: unknown): string | undefined => {
  if (v === undefined) return undefined;
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const idOf = (v: unknown) => (isObject(v) && typeof v.id === 'string' ? v.id : null);

const same = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!same(a[k], b[k])) return false;
    return true;
  }
  return false;
};

export function diffPaths(implied: unknown, live: unknown): { paths: DriftPath[]; more: boolean } {
  const paths: DriftPath[] = [];
  let more = false;
  const add = (path: string, a: unknown, b: unknown) => {
    if (paths.length >= MAX_PATHS) {
      more = true;
      return;
    }
    const p: DriftPath = { path };
    const i = cut(a);
    const l = cut(b);
    if (i !== undefined) p.implied = i;
    if (l !== undefined) p.live = l;
    paths.push(p);
  };
  const walk = (path: string, a: unknown, b: unknown) => {
    if (same(a, b)) return;
    if (isObject(a) && isObject(b)) {
      for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort())
        walk(path ? `${path}.${k}` : k, a[k], b[k]);
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      const ids = (list: unknown[]) => list.map(idOf);
      if ([...ids(a), ...ids(b)].every((id) => id !== null)) {
        const before = paths.length;
        const theirs = new Map(b.map((x) => [idOf(x)!, x]));
        const ours = new Map(a.map((x) => [idOf(x)!, x]));
        for (const [id, x] of ours) walk(`${path}[id=${id}]`, x, theirs.get(id));
        for (const [id, x] of theirs) if (!ours.has(id)) walk(`${path}[id=${id}]`, undefined, x);
        // Same members in another order: the order itself is the difference.
        if (paths.length === before && !more) add(path, a, b);
        return;
      }
      if (a.length === b.length) {
        a.forEach((x, i) => walk(`${path}[${i}]`, x, b[i]));
        return;
      }
    }
    add(path, a, b);
  };
  walk('', implied, live);
  return { paths, more };
}
