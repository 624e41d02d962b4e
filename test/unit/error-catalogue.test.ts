/** docs/errors.md, the ErrorCode catalogue and the wire table stay identical (aesthetics §9.7). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ErrorCode } from '../../src/domain/errors.ts';
import { ERROR_TABLE } from '../../src/http/error-table.ts';

const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/errors.md'), 'utf8');
const rows = [...doc.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(\d{3})\s*\|\s*(E\d{4}|–)\s*\|/gm)].map(
  (m) => ({
    code: m[1]!,
    status: Number(m[2]),
    errorCode: m[3] === '–' ? undefined : m[3],
  }),
);

test('every catalogue code is documented with its status and DHIS2 errorCode', () => {
  for (const code of Object.values(ErrorCode)) {
    const row = rows.find((r) => r.code === code);
    assert.ok(row, `docs/errors.md lacks ${code}`);
    assert.equal(row.status, ERROR_TABLE[code].status, `status of ${code}`);
    assert.equal(row.errorCode, ERROR_TABLE[code].errorCode, `errorCode of ${code}`);
  }
});

test('docs/errors.md lists no code that the catalogue lacks, and none twice', () => {
  const known = new Set<string>(Object.values(ErrorCode));
  for (const r of rows) assert.ok(known.has(r.code), `docs/errors.md lists unknown ${r.code}`);
  assert.equal(new Set(rows.map((r) => r.code)).size, rows.length);
});

test('codes are their own names, so logs and docs read the same', () => {
  for (const [k, v] of Object.entries(ErrorCode)) assert.equal(k, v);
});
