/**
 * Shared pieces of the bad-input fuzz suites (issue 10 §5): the run count and seed (fixed by
 * default so `npm test` is deterministic; METASYNC_FUZZ_RUNS / METASYNC_FUZZ_SEED widen or
 * replay a run), a cheap fingerprint of everything a metadata write can touch, and the checks
 * every answer must pass (never 5xx, always JSON, the server still answers).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sql } from 'kysely';
import type { TestServer } from './server.ts';

export const FUZZ_SEED = Number(process.env.METASYNC_FUZZ_SEED) || 20_261_125;

/** fast-check parameters: `runs` by default, METASYNC_FUZZ_RUNS overrides every property. */
export function fuzzParams<T>(runs: number, extra: fc.Parameters<T> = {}): fc.Parameters<T> {
  const override = Number(process.env.METASYNC_FUZZ_RUNS);
  return {
    seed: FUZZ_SEED,
    numRuns: Number.isSafeInteger(override) && override > 0 ? override : runs,
    // Shrinking re-runs the property against a live server: keep it bounded, the seed and path
    // in fast-check's failure message replay the exact case anyway.
    interruptAfterTimeLimit: 120_000,
    markInterruptAsFailure: false,
    includeErrorInReport: true,
    ...extra,
  };
}

/** Runs an async property; on failure the thrown message carries `seed` and `path` to replay. */
export async function check<Ts extends [unknown, ...unknown[]]>(
  name: string,
  property: fc.IAsyncPropertyWithHooks<Ts>,
  params: fc.Parameters<Ts>,
): Promise<void> {
  try {
    await fc.assert(property, params);
  } catch (e) {
    // Say how to replay, whatever the environment overrode.
    const hint = `replay: METASYNC_FUZZ_SEED=${String(params.seed)} (${name})`;
    if (e instanceof Error) e.message = `${hint}\n${e.message}`;
    throw e;
  }
}

const TABLES = [
  'metadata_object',
  'metadata_ref',
  'metadata_tombstone',
  'change_counter',
  'app_user',
  'user_role',
  'user_role_member',
] as const;

/**
 * Everything a metadata import may write, as one string: the rows of each table in a canonical
 * order. Two equal fingerprints mean the store is exactly unchanged.
 */
export async function fingerprint(server: TestServer): Promise<string> {
  const { db } = server.instance.database;
  const parts: string[] = [];
  for (const t of TABLES) {
    const r = await sql<{ n: string; h: string | null }>`
      select count(*)::text as n, md5(string_agg(row_to_json(x)::text, '|' order by row_to_json(x)::text)) as h
      from ${sql.table(t)} x`.execute(db);
    parts.push(`${t}:${r.rows[0]!.n}:${r.rows[0]!.h ?? ''}`);
  }
  return parts.join(' ');
}

/** type → id → content hash (users by their row), to compare with what a report says. */
export type StoreState = Map<string, Map<string, string>>;

export async function storeState(server: TestServer): Promise<StoreState> {
  const { db } = server.instance.database;
  const rows = await sql<{ type: string; id: string; h: string }>`
    select type, id, content_hash as h from metadata_object
    union all
    select 'users', id, md5(row_to_json(u)::text) from app_user u`.execute(db);
  const out: StoreState = new Map();
  for (const r of rows.rows) {
    let m = out.get(r.type);
    if (!m) out.set(r.type, (m = new Map()));
    m.set(r.id, r.h);
  }
  return out;
}

/** created / changed / deleted ids per type between two states. */
export function diffStates(before: StoreState, after: StoreState) {
  const out = new Map<string, { created: number; changed: number; deleted: number }>();
  for (const type of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(type) ?? new Map<string, string>();
    const a = after.get(type) ?? new Map<string, string>();
    const d = { created: 0, changed: 0, deleted: 0 };
    for (const [id, h] of a) {
      if (!b.has(id)) d.created++;
      else if (b.get(id) !== h) d.changed++;
    }
    for (const id of b.keys()) if (!a.has(id)) d.deleted++;
    if (d.created || d.changed || d.deleted) out.set(type, d);
  }
  return out;
}

export interface Answer {
  status: number;
  text: string;
  contentType: string;
  json: unknown;
}

/** The server's logged error for a request, so that a 5xx failure shows its cause. */
function loggedError(server: TestServer | undefined, res: Response): string {
  const id = res.headers.get('x-request-id');
  const line = server?.logs.lines.find((l) => l.reqId === id && Number(l.level) >= 50);
  return line ? JSON.stringify(line.err ?? line).slice(0, 1500) : '';
}

/** Reads an answer; it must be below 500 and, when `json`, a JSON document. */
export async function answer(
  res: Response,
  what: string,
  json = true,
  server?: TestServer,
): Promise<Answer> {
  const text = await res.text();
  assert.ok(
    res.status < 500,
    `${what} answered ${res.status}: ${text.slice(0, 500)} ${loggedError(server, res)}`,
  );
  const contentType = res.headers.get('content-type') ?? '';
  let parsed: unknown = undefined;
  if (json) {
    assert.match(
      contentType,
      /json/,
      `${what}: ${res.status} ${contentType} ${text.slice(0, 200)}`,
    );
    try {
      parsed = JSON.parse(text);
    } catch {
      assert.fail(`${what} answered ${res.status} with non-JSON: ${text.slice(0, 300)}`);
    }
  }
  return { status: res.status, text, contentType, json: parsed };
}

/** A 4xx answer must be a DHIS2 WebMessage with the same status. */
export function assertWebMessage(a: Answer, what: string): void {
  const m = a.json as { httpStatusCode?: unknown; status?: unknown; message?: unknown };
  assert.equal(typeof m, 'object', what);
  assert.equal(m.httpStatusCode, a.status, `${what}: ${a.text.slice(0, 300)}`);
  assert.equal(m.status, 'ERROR', `${what}: ${a.text.slice(0, 300)}`);
  assert.equal(typeof m.message, 'string', `${what}: ${a.text.slice(0, 300)}`);
}

/** The server still answers its health check (it did not crash or wedge). */
export async function assertAlive(server: TestServer): Promise<void> {
  const res = await fetch(`${server.url}/api/health`);
  assert.equal(res.status, 200, await res.text());
}

/** Keys that have broken JavaScript merges before: they must be plain data here. */
export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

/** Strings that stress encodings and the database: NUL, lone surrogates, RTL, emoji, long. */
export const nastyString = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    {
      weight: 3,
      arbitrary: fc.string({
        unit: fc.constantFrom('a', '\u0000', '\ud800', '\udc00', '\u202e', '\ufeff', '😀'),
        minLength: 1,
        maxLength: 8,
      }),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom('', ' ', "'; drop", '%00', '\\u0000', 'null', '[]', '../..'),
    },
    { weight: 1, arbitrary: fc.nat({ max: 300_000 }).map((n) => 'x'.repeat(n)) },
  );

/** encodeURIComponent that also takes lone surrogates (sent as U+FFFD's UTF-8, as a browser does). */
export const percentEncode = (s: string): string =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
