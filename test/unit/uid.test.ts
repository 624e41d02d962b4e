/** DHIS2 uids (CodeGenerator): 11 characters, a letter first, then letters or digits. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UID_PATTERN, generateUid, isValidUid } from '../../src/domain/uid.ts';
import { newUid } from '../../src/security/random.ts';

describe('isValidUid', () => {
  it('accepts DHIS2 uids', () => {
    for (const uid of ['M5zQapPyTZI', 'yrB6vc5Ip3r', 'abcdefghijk', 'Z0123456789'])
      assert.ok(isValidUid(uid), uid);
  });

  it('rejects wrong length, a leading digit and other characters', () => {
    for (const uid of [
      '',
      'M5zQapPyTZ',
      'M5zQapPyTZIx',
      '1bcdefghijk',
      'abc-efghijk',
      'abc_efghijk',
      'abcdéfghijk',
      ' bcdefghijk',
    ])
      assert.ok(!isValidUid(uid), JSON.stringify(uid));
  });

  it('has an anchored pattern (no match inside a longer string)', () => {
    assert.ok(!UID_PATTERN.test('xxM5zQapPyTZIxx'));
  });
});

describe('generateUid', () => {
  it('uses the random source: all zeros gives "a" then "0"s', () => {
    assert.equal(
      generateUid(() => 0),
      'a0000000000',
    );
  });

  it('maps the largest index to the last alphabet character', () => {
    assert.equal(
      generateUid((n) => n - 1),
      'ZZZZZZZZZZZ',
    );
  });

  it('asks for a letter index first, then alphanumeric indexes', () => {
    const asked: number[] = [];
    generateUid((n) => {
      asked.push(n);
      return 0;
    });
    assert.deepEqual(asked, [52, ...Array<number>(10).fill(62)]);
  });

  it('newUid produces valid, distinct uids', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const uid = newUid();
      assert.ok(isValidUid(uid), uid);
      seen.add(uid);
    }
    assert.equal(seen.size, 2000);
  });

  it('newUid uses digits and both letter cases after the first character', () => {
    const rest = Array.from({ length: 500 }, () => newUid().slice(1)).join('');
    assert.match(rest, /[0-9]/);
    assert.match(rest, /[a-z]/);
    assert.match(rest, /[A-Z]/);
  });
});
