/** Turning client-sent setting values into typed values (DHIS2 accepts "true" and true alike). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSettingValue, type ParseResult } from '../../src/domain/settings/parse-setting.ts';
import { SETTINGS, secretKeys, type SettingDef } from '../../src/domain/settings/registry.ts';

const def = (key: string): SettingDef => {
  const d = SETTINGS.get(key);
  assert.ok(d, `no setting ${key}`);
  return d;
};
const ok = (r: ParseResult) => {
  assert.ok(r.ok, `expected ok, got ${JSON.stringify(r)}`);
  return r.value;
};
const reason = (r: ParseResult) => {
  assert.ok(!r.ok, `expected failure, got ${JSON.stringify(r)}`);
  return r.reason;
};

describe('parseSettingValue: boolean', () => {
  const d = def('keyVersionEnabled');
  it('accepts true/false as JSON booleans and as strings', () => {
    assert.equal(ok(parseSettingValue(d, true)), true);
    assert.equal(ok(parseSettingValue(d, 'true')), true);
    assert.equal(ok(parseSettingValue(d, false)), false);
    assert.equal(ok(parseSettingValue(d, 'false')), false);
  });
  it('rejects anything else', () => {
    for (const raw of ['yes', 'TRUE', '1', 1, 0, '', {}, []])
      assert.equal(reason(parseSettingValue(d, raw)), 'must be true or false');
  });
});

describe('parseSettingValue: integer', () => {
  const d = def('syncMaxAttempts'); // 1..100
  it('accepts numbers and digit strings within the bounds', () => {
    assert.equal(ok(parseSettingValue(d, 5)), 5);
    assert.equal(ok(parseSettingValue(d, '7')), 7);
    assert.equal(ok(parseSettingValue(d, ' 8 ')), 8);
    assert.equal(ok(parseSettingValue(d, 1)), 1);
    assert.equal(ok(parseSettingValue(d, 100)), 100);
  });
  it('enforces min and max', () => {
    assert.equal(reason(parseSettingValue(d, 0)), 'must be at least 1');
    assert.equal(reason(parseSettingValue(d, '-3')), 'must be at least 1');
    assert.equal(reason(parseSettingValue(d, 101)), 'must be at most 100');
  });
  it('allows 0 where min is 0', () => {
    assert.equal(
      ok(parseSettingValue(def('syncDelayBetweenRemoteServerAvailabilityCheckAttempts'), 0)),
      0,
    );
  });
  it('rejects fractions, non-numbers and unsafe integers', () => {
    for (const raw of [1.5, '1.5', 'abc', '', '1e2', true, NaN, Infinity, 2 ** 53, {}])
      assert.equal(reason(parseSettingValue(d, raw)), 'must be an integer');
  });
});

describe('parseSettingValue: string', () => {
  const d = def('applicationTitle');
  it('accepts strings up to 10000 characters', () => {
    assert.equal(ok(parseSettingValue(d, 'My DHIS2')), 'My DHIS2');
    assert.equal(ok(parseSettingValue(d, '')), '');
    assert.equal(ok(parseSettingValue(d, 'x'.repeat(10_000))), 'x'.repeat(10_000));
  });
  it('rejects longer strings and non-strings', () => {
    assert.equal(
      reason(parseSettingValue(d, 'x'.repeat(10_001))),
      'is longer than 10000 characters',
    );
    for (const raw of [5, true, {}, ['a']])
      assert.equal(reason(parseSettingValue(d, raw)), 'must be a string');
  });
});

describe('parseSettingValue: date', () => {
  const d = def('keyLastMetaDataSyncSuccess');
  const iso = '2024-03-05T10:20:30.000Z';
  const ms = Date.parse(iso);
  it('accepts epoch milliseconds as a number or digit string', () => {
    assert.equal(ok(parseSettingValue(d, ms)), iso);
    assert.equal(ok(parseSettingValue(d, String(ms))), iso);
    assert.equal(ok(parseSettingValue(d, 0)), '1970-01-01T00:00:00.000Z');
  });
  it('accepts ISO-8601 and normalises to UTC', () => {
    assert.equal(ok(parseSettingValue(d, iso)), iso);
    assert.equal(ok(parseSettingValue(d, '2024-03-05T12:20:30+02:00')), iso);
    assert.equal(ok(parseSettingValue(d, '2024-03-05')), '2024-03-05T00:00:00.000Z');
  });
  it('treats the empty string as "no date"', () => {
    assert.equal(ok(parseSettingValue(d, '')), null);
  });
  it('rejects non-dates', () => {
    for (const raw of ['yesterday', '2024-13-45', true, {}, NaN])
      assert.equal(
        reason(parseSettingValue(d, raw)),
        'must be an ISO-8601 date or epoch milliseconds',
      );
  });
});

describe('parseSettingValue: null and undefined', () => {
  it('give the default of each type', () => {
    assert.equal(ok(parseSettingValue(def('keyVersionEnabled'), null)), false);
    assert.equal(ok(parseSettingValue(def('syncMaxAttempts'), undefined)), 3);
    assert.equal(ok(parseSettingValue(def('applicationTitle'), null)), 'metasync');
    assert.equal(ok(parseSettingValue(def('keyLastMetaDataSyncSuccess'), null)), null);
  });
});

describe('parseSettingValue: checks', () => {
  it('keyRemoteInstanceUrl must be an http(s) URL (empty allowed)', () => {
    const d = def('keyRemoteInstanceUrl');
    assert.equal(
      ok(parseSettingValue(d, 'https://play.dhis2.org/dev')),
      'https://play.dhis2.org/dev',
    );
    assert.equal(ok(parseSettingValue(d, 'http://10.0.0.1:8080')), 'http://10.0.0.1:8080');
    assert.equal(ok(parseSettingValue(d, '')), '');
    for (const raw of ['ftp://example.org', 'not a url', 'javascript:alert(1)', '/relative'])
      assert.equal(reason(parseSettingValue(d, raw)), 'must be an http(s) URL', raw);
  });
  it('e-mail settings must look like an address (empty allowed)', () => {
    for (const key of ['keySystemNotificationsEmail', 'keyEmailSender']) {
      const d = def(key);
      assert.equal(ok(parseSettingValue(d, 'admin@example.org')), 'admin@example.org');
      assert.equal(ok(parseSettingValue(d, '')), '');
      for (const raw of ['admin', 'admin@', '@example.org', 'a b@example.org'])
        assert.equal(reason(parseSettingValue(d, raw)), 'must be an e-mail address', raw);
    }
  });
  it('keyEmailPort is bounded to 1..65535', () => {
    const d = def('keyEmailPort');
    assert.equal(ok(parseSettingValue(d, '465')), 465);
    assert.ok(!parseSettingValue(d, 0).ok);
    assert.ok(!parseSettingValue(d, 65536).ok);
  });
});

describe('settings registry', () => {
  it('lists the secret settings', () => {
    assert.deepEqual(secretKeys().sort(), ['keyEmailPassword', 'keyRemoteInstancePassword']);
  });
  it('has defaults that parse as their own type', () => {
    for (const d of SETTINGS.values()) {
      if (d.default === null) continue;
      const r = parseSettingValue(d, d.default);
      assert.ok(r.ok, d.key);
      assert.equal(r.value, d.default, d.key);
    }
  });
});
