/**
 * The real DHIS2 metadata files under ../shared/research/fixtures (read in place, never copied)
 * and the object counts of their README inventory. The suites that use them skip when the
 * directory is absent, so the core suite passes without ../shared.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { METADATA_TYPES } from '../../src/domain/metadata/types.ts';
import { postMetadata, type ImportReportJson, type ImportResult } from './metadata.ts';
import type { TestServer } from './server.ts';

export const FIXTURES = path.resolve(import.meta.dirname, '../../../shared/research/fixtures');

/** false → a `describe` option `skip` message; true when the fixtures are there. */
export const fixturesSkip: string | false = existsSync(path.join(FIXTURES, 'README.md'))
  ? false
  : `fixtures not found at ${FIXTURES} (../shared is not checked out): fixture suite skipped`;

export interface InventoryRow {
  file: string;
  objects: number;
  /** Per metadata type key, as the README counts them. */
  perType: Map<string, number>;
}

/** Parses the README's inventory table: `| \`file\` | repo | path | commit | bytes | objects | refs | counts |`. */
export async function inventory(): Promise<InventoryRow[]> {
  const text = await readFile(path.join(FIXTURES, 'README.md'), 'utf8');
  const rows: InventoryRow[] = [];
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const file = /^`([^`]+\.json)`$/.exec(cells[1] ?? '')?.[1];
    if (!file || cells.length < 10) continue;
    const perType = new Map<string, number>();
    for (const part of cells[8]!.split(',').filter((p) => p.trim())) {
      const [key, n] = part.trim().split(/\s+/);
      perType.set(key!, Number(n));
    }
    rows.push({ file, objects: Number(cells[6]), perType });
  }
  return rows;
}

export const readFixture = (file: string): Promise<Buffer> => readFile(path.join(FIXTURES, file));

export async function readFixtureJson<T = Record<string, unknown[]>>(file: string): Promise<T> {
  return JSON.parse(await readFile(path.join(FIXTURES, file), 'utf8')) as T;
}

/** POSTs a fixture file's bytes unchanged. */
export async function importFixture(
  server: TestServer,
  file: string,
  query: Record<string, string> = {},
): Promise<ImportResult> {
  return postMetadata(server, await readFixture(file), query);
}

const KEY_OF_KLASS = new Map(METADATA_TYPES.map((t) => [t.klass, t.key]));

/** Per-type stats of a report, keyed by type key (unknown types report their key as klass). */
export function statsByType(report: ImportReportJson): Map<string, ImportReportJson['stats']> {
  return new Map(report.typeReports.map((t) => [KEY_OF_KLASS.get(t.klass) ?? t.klass, t.stats]));
}

/** Every nested `{ "id": … }` value inside a JSON value (the object's own id excluded). */
export function nestedIds(value: unknown, out = new Set<string>(), top = true): Set<string> {
  if (Array.isArray(value)) for (const v of value) nestedIds(v, out, false);
  else if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    if (!top && typeof o.id === 'string') out.add(o.id);
    for (const [k, v] of Object.entries(o)) if (k !== 'id') nestedIds(v, out, false);
  }
  return out;
}

/** Resolves an import report's errorProperty (`a.b[2].c`) on an object; returns the `.id` found. */
export function idAtPath(object: unknown, property: string): unknown {
  let at: unknown = object;
  for (const step of property.split('.')) {
    const m = /^([^[]+)((?:\[\d+\])*)$/.exec(step);
    if (!m) return undefined;
    at = (at as Record<string, unknown> | undefined)?.[m[1]!];
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) at = (at as unknown[] | undefined)?.[+idx[1]!];
  }
  return (at as { id?: unknown } | undefined)?.id;
}
