/**
 * The Range and If-Range reading of the snapshot downloads (src/http/byte-ranges.ts, issue 19
 * §1, RFC 9110 §14): what each header asks of a representation of a given size. Served over
 * HTTP in test/integration/versions-ranges.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ifRangeHolds, requestedRange } from '../../src/http/byte-ranges.ts';

describe('requestedRange', () => {
  it('reads one int-range or suffix range, clamping an end past the last byte', () => {
    const cases: [string, number, [number, number]][] = [
      ['bytes=0-0', 100, [0, 0]],
      ['bytes=10-', 100, [10, 99]],
      ['bytes=10-19', 100, [10, 19]],
      ['bytes=90-500', 100, [90, 99]],
      ['bytes=99-99', 100, [99, 99]],
      ['bytes=-1', 100, [99, 99]],
      ['bytes=-30', 100, [70, 99]],
      ['bytes=-1000', 100, [0, 99]],
      ['Bytes = 5 - 6 ', 100, [5, 6]],
    ];
    for (const [header, size, [start, end]] of cases)
      assert.deepEqual(requestedRange(header, size), { kind: 'partial', start, end }, header);
  });

  it('a first byte at or past the end, or an empty suffix, is unsatisfiable', () => {
    for (const header of ['bytes=100-', 'bytes=100-200', 'bytes=5000-', 'bytes=-0'])
      assert.deepEqual(requestedRange(header, 100), { kind: 'unsatisfiable' }, header);
  });

  it('no header, another unit, several ranges or anything unparsable: the whole representation', () => {
    for (const header of [
      undefined,
      '',
      'bytes',
      'bytes=',
      'bytes=-',
      'bytes=abc',
      'bytes=1-2-3',
      'bytes=20-10',
      'bytes=0-1,5-6',
      'bytes=0-1, -5',
      'items=0-5',
      'bytes 0-5',
      'bytes=+1-5',
      'bytes=1.5-3',
      `bytes=${'9'.repeat(20)}-`,
      `bytes=0-${'9'.repeat(20)}`,
    ])
      assert.deepEqual(requestedRange(header, 100), { kind: 'whole' }, String(header));
  });

  it('an empty representation has no range to give', () => {
    assert.deepEqual(requestedRange('bytes=0-', 0), { kind: 'whole' });
  });
});

describe('ifRangeHolds', () => {
  const etag = '"0123456789abcdef0123456789abcdef.gz"';
  it('holds without If-Range, and for exactly the strong ETag', () => {
    assert.equal(ifRangeHolds(undefined, etag), true);
    assert.equal(ifRangeHolds(etag, etag), true);
    assert.equal(ifRangeHolds(` ${etag} `, etag), true);
  });
  it('fails for another tag, a weak tag, a date, a list or a repeated header', () => {
    for (const value of [
      '"0123456789abcdef0123456789abcdef"',
      `W/${etag}`,
      'Mon, 07 Dec 2026 06:00:00 GMT',
      `${etag}, "other"`,
      '*',
      '',
    ])
      assert.equal(ifRangeHolds(value, etag), false, value);
    assert.equal(ifRangeHolds([etag, etag], etag), false);
  });
});
