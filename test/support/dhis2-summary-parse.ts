/**
 * How a DHIS2 local (2.39–2.43) reads the answer to a data push (issue 16 §2), after dhis2-core's
 * SyncUtils.runSyncRequest, ImportSummary(ies)ResponseExtractor and WebMessageParseUtils:
 *
 * - 2xx: a body with both `httpStatus` and `response` is a WebMessage and `response` is parsed,
 *   otherwise the body itself;
 * - 4xx: `response` is parsed; without one, WebMessageParseUtils calls `toString()` on a null
 *   node (a NullPointerException, the run fails without a report);
 * - Jackson: unknown properties are ignored; enums must be known values (ImportStatus; the
 *   `errorCode` of a conflict is an ErrorCode: only its shape is checked here); counts must be
 *   numbers; lists must be lists.
 *
 * Success is a summary (ImportSummary) or every summary at every level (ImportSummaries, with
 * `enrollments` and `events` below tracked entities) being neither ERROR nor WARNING; an
 * ImportSummaries with no summaries at all reads as success.
 */
import assert from 'node:assert/strict';

type Json = Record<string, unknown>;
export type SummaryType = 'ImportSummary' | 'ImportSummaries';

const STATUSES = ['SUCCESS', 'WARNING', 'ERROR'];
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Jackson's mapping onto ImportSummary: throws where the local's parse would. */
function summary(v: unknown, where: string): { status: string; nested: Json[] } {
  assert.ok(isObject(v), `${where}: not an object`);
  const status = v.status ?? 'SUCCESS';
  assert.ok(
    STATUSES.includes(String(status)),
    `${where}: status ${String(status)} is no ImportStatus`,
  );
  if (v.importCount !== undefined && v.importCount !== null) {
    assert.ok(isObject(v.importCount), `${where}: importCount is not an object`);
    for (const k of ['imported', 'updated', 'ignored', 'deleted'])
      if (k in v.importCount)
        assert.equal(typeof v.importCount[k], 'number', `${where}: importCount.${k}`);
  }
  if (v.conflicts !== undefined && v.conflicts !== null) {
    assert.ok(Array.isArray(v.conflicts), `${where}: conflicts is not a list`);
    for (const c of v.conflicts) {
      assert.ok(isObject(c), `${where}: a conflict is not an object`);
      // An ErrorCode the local does not know fails the parse. Which codes each release knows
      // is the release emulator's concern (issue 16 §11); here: the enum's shape.
      if (c.errorCode !== undefined && c.errorCode !== null)
        assert.match(String(c.errorCode), /^E\d{4}$/, `${where}: conflict errorCode`);
    }
  }
  for (const k of ['description', 'reference', 'href', 'responseType'])
    if (v[k] !== undefined && v[k] !== null) assert.equal(typeof v[k], 'string', `${where}: ${k}`);
  const nested: Json[] = [];
  for (const k of ['enrollments', 'events', 'relationships'])
    if (v[k] !== undefined && v[k] !== null) {
      assert.ok(isObject(v[k]), `${where}: ${k} is not an object`);
      nested.push(v[k]);
    }
  return { status: String(status), nested };
}

/** Jackson's mapping onto ImportSummaries: its summaries, recursively checked. */
function summaries(v: unknown, where: string): { statuses: string[] } {
  assert.ok(isObject(v), `${where}: not an object`);
  for (const k of ['imported', 'updated', 'deleted', 'ignored'])
    if (k in v) assert.equal(typeof v[k], 'number', `${where}: ${k}`);
  if (v.status !== undefined) assert.ok(STATUSES.includes(String(v.status)), `${where}: status`);
  const list = v.importSummaries ?? [];
  assert.ok(Array.isArray(list), `${where}: importSummaries is not a list`);
  const statuses: string[] = [];
  list.forEach((s, i) => {
    const one = summary(s, `${where}.importSummaries[${i}]`);
    statuses.push(one.status);
    one.nested.forEach((n, j) =>
      statuses.push(...summaries(n, `${where}[${i}].nested[${j}]`).statuses),
    );
  });
  return { statuses };
}

/**
 * Reads an answer as a DHIS2 local does; throws (an AssertionError naming what) where the local
 * would fail to parse it. Returns whether the local counts the push as successful.
 */
export function localVerdict(status: number, text: string, type: SummaryType): { ok: boolean } {
  const body = JSON.parse(text) as unknown;
  assert.ok(isObject(body), 'the body is not a JSON object');
  let target: unknown;
  if (status >= 400 && status < 500) {
    assert.ok(
      'response' in body && body.response !== null,
      'a 4xx without `response` (NPE in WebMessageParseUtils)',
    );
    target = body.response;
  } else target = 'httpStatus' in body && 'response' in body ? body.response : body;
  if (type === 'ImportSummary') {
    const s = summary(target, 'response').status;
    return { ok: s !== 'ERROR' && s !== 'WARNING' };
  }
  const { statuses } = summaries(target, 'response');
  return { ok: statuses.every((s) => s !== 'ERROR' && s !== 'WARNING') };
}
