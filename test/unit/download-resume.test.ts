/** The resume decisions of a snapshot download (src/central/download-resume.ts, issue 19 §2). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseContentRange,
  rangeOutcome,
  resumable,
  strongEtag,
} from '../../src/central/download-resume.ts';

const partial = { version: 'Version_3', versionId: 'abc', etag: '"h.gz"', bytes: 600 };
const asked = { from: 600, etag: '"h.gz"' };

describe('download resume: Content-Range and ETags', () => {
  it('parses bytes start-end/total and start-end/*', () => {
    assert.deepEqual(parseContentRange('bytes 600-999/1000'), {
      start: 600,
      end: 999,
      total: 1000,
    });
    assert.deepEqual(parseContentRange('bytes 0-0/*'), { start: 0, end: 0, total: null });
    assert.deepEqual(parseContentRange('BYTES 5-9/10'), { start: 5, end: 9, total: 10 });
  });

  it('refuses what is not a satisfied byte range', () => {
    for (const v of [
      null,
      '',
      'bytes */1000', // the 416 form
      'bytes 600-599/1000',
      'bytes 600-1000/1000', // past the end
      'items 0-1/2',
      'bytes 600-/1000',
      'bytes -5-9/10',
    ])
      assert.equal(parseContentRange(v), null, String(v));
  });

  it('a strong ETag only', () => {
    assert.equal(strongEtag('"h.gz"'), '"h.gz"');
    assert.equal(strongEtag(' "x" '), '"x"');
    for (const v of [null, undefined, '', 'W/"h"', 'h.gz', '"a"b"', '"unterminated'])
      assert.equal(strongEtag(v), null, String(v));
  });
});

describe('download resume: which partial is resumed', () => {
  it('the same version id, a strong ETag and kept bytes', () => {
    assert.deepEqual(resumable(partial, 'abc'), asked);
  });
  it('none for another id, no id, a weak or no ETag, or nothing kept', () => {
    assert.equal(resumable(null, 'abc'), null);
    assert.equal(resumable(partial, 'other'), null);
    assert.equal(resumable(partial, undefined), null);
    assert.equal(resumable({ ...partial, etag: 'W/"h.gz"' }, 'abc'), null);
    assert.equal(resumable({ ...partial, bytes: 0 }, 'abc'), null);
  });
});

describe('download resume: what the answer means', () => {
  const answer = (status: number, etag: string | null, contentRange: string | null = null) => ({
    status,
    etag,
    contentRange,
  });

  it('206 at the kept length with the same ETag resumes', () => {
    assert.deepEqual(rangeOutcome(asked, answer(206, '"h.gz"', 'bytes 600-999/1000')), {
      kind: 'resume',
      from: 600,
      total: 1000,
    });
    assert.deepEqual(rangeOutcome(asked, answer(206, null, 'bytes 600-999/*')), {
      kind: 'resume',
      from: 600,
      total: null,
    });
  });

  it('200 is the whole file: kept under a strong ETag only (DHIS2 sends none)', () => {
    assert.deepEqual(rangeOutcome(asked, answer(200, '"new.gz"')), {
      kind: 'whole',
      etag: '"new.gz"',
    });
    assert.deepEqual(rangeOutcome(asked, answer(200, null)), { kind: 'whole', etag: null });
    assert.deepEqual(rangeOutcome(null, answer(200, 'W/"w"')), { kind: 'whole', etag: null });
  });

  it('416, or a 206 elsewhere, of another ETag or unasked, asks again from byte 0', () => {
    for (const [a, ans] of [
      [asked, answer(416, null, 'bytes */600')],
      [asked, answer(206, '"h.gz"', 'bytes 0-999/1000')],
      [asked, answer(206, '"other.gz"', 'bytes 600-999/1000')],
      [asked, answer(206, '"h.gz"', null)],
      [null, answer(206, '"h.gz"', 'bytes 0-999/1000')],
    ] as const)
      assert.equal(rangeOutcome(a, ans).kind, 'again', JSON.stringify(ans));
  });
});
