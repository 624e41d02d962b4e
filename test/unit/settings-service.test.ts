/**
 * The settings use cases (src/domain/settings/settings-service.ts) over the in-memory setting
 * store and a transparent secret box: defaults, all-or-nothing updates, secrets sealed and never
 * shown, a secret forgotten when its destination moves, the read cache and its invalidation.
 * No server, no database: the fake passes the SettingStore conformance suite, and
 * test/integration/http-settings*.test.ts keep the HTTP forms and persistence.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError, ErrorCode } from '../../src/domain/errors.ts';
import type { SecretBox } from '../../src/domain/ports.ts';
import { createSettingsService } from '../../src/domain/settings/settings-service.ts';
import { createMemorySettingStore } from '../support/fakes/memory-setting-store.ts';

/** Seals visibly, so a test can tell a sealed value from a plain one. */
const box: SecretBox = {
  seal: (plain) => `sealed:${Buffer.from(plain).toString('base64')}`,
  open: (sealed) => {
    if (!sealed.startsWith('sealed:')) throw new Error('not sealed by this box');
    return Buffer.from(sealed.slice(7), 'base64').toString();
  },
};

function service(maxAgeMs = 500) {
  const store = createMemorySettingStore();
  let now = Date.parse('2026-01-01T00:00:00Z');
  const clock = {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
  return { store, clock, settings: createSettingsService({ store, box, clock, maxAgeMs }) };
}

const refused = (code: ErrorCode, message?: RegExp) => (e: unknown) =>
  e instanceof AppError && e.code === code && (!message || message.test(e.message));

describe('settings service over the in-memory store', () => {
  it('answers defaults until a value is stored, and the stored value after', async () => {
    const { settings } = service();
    assert.equal(await settings.getPublic('keyEmailPort'), 587);
    assert.equal((await settings.listPublic()).keyVersionEnabled, false);
    await settings.update({ keyEmailPort: '2525', keyVersionEnabled: 'true' });
    assert.equal(await settings.getPublic('keyEmailPort'), 2525);
    assert.equal(await settings.value('keyVersionEnabled'), true);
    assert.equal((await settings.listPublic()).keyEmailPort, 2525);
  });

  it('an unknown key is SETTING_UNKNOWN for every use case', async () => {
    const { settings } = service();
    const unknown = refused(ErrorCode.SETTING_UNKNOWN, /Setting does not exist: keyNoSuch/);
    await assert.rejects(settings.getPublic('keyNoSuch'), unknown);
    await assert.rejects(settings.value('keyNoSuch'), unknown);
    await assert.rejects(settings.update({ keyNoSuch: 1 }), unknown);
    await assert.rejects(settings.remove('keyNoSuch'), unknown);
    assert.throws(() => settings.isSecret('keyNoSuch'), unknown);
  });

  it('one bad value refuses the whole update and changes nothing', async () => {
    const { settings, store } = service();
    await settings.update({ keyEmailPort: 25 });
    await assert.rejects(
      settings.update({ keyEmailPort: 2525, dataValuesPageSize: 0 }),
      refused(ErrorCode.SETTING_INVALID, /dataValuesPageSize/),
    );
    assert.equal(await settings.getPublic('keyEmailPort'), 25);
    assert.equal(await store.get('dataValuesPageSize'), undefined);
  });

  it('seals secrets in the store, shows them to nobody, and opens them for internal use', async () => {
    const { settings, store } = service();
    assert.equal(settings.isSecret('keyRemoteInstancePassword'), true);
    assert.equal(settings.isSecret('keyRemoteInstanceUrl'), false);
    await settings.update({ keyRemoteInstancePassword: 'S3cret!' });
    const stored = String(await store.get('keyRemoteInstancePassword'));
    assert.ok(stored.startsWith('sealed:') && !stored.includes('S3cret'), stored);
    assert.equal(await settings.getPublic('keyRemoteInstancePassword'), '');
    assert.equal('keyRemoteInstancePassword' in (await settings.listPublic()), false);
    assert.equal((await settings.secretStatus()).keyRemoteInstancePassword, true);
    assert.equal((await settings.secretStatus()).keyEmailPassword, false);
    assert.equal(await settings.value('keyRemoteInstancePassword'), 'S3cret!');
  });

  it('an empty secret clears it', async () => {
    const { settings, store } = service();
    await settings.update({ keyEmailPassword: 'Mail-Pass-1' });
    await settings.update({ keyEmailPassword: '' });
    assert.equal(await store.get('keyEmailPassword'), undefined);
    assert.equal((await settings.secretStatus()).keyEmailPassword, false);
    assert.equal(await settings.value('keyEmailPassword'), '');
  });

  it('a secret sealed under another key is a CONFLICT that says what to do', async () => {
    const { settings, store } = service();
    await store.putMany(new Map([['keyRemoteInstancePassword', 'sealed-elsewhere']]));
    await assert.rejects(
      settings.value('keyRemoteInstancePassword'),
      refused(ErrorCode.CONFLICT, /cannot be opened with this server's encryption.password/),
    );
  });

  it('moving the remote URL forgets the remote password; the same URL keeps it', async () => {
    const { settings } = service();
    await settings.update({
      keyRemoteInstanceUrl: 'https://central.example.org',
      keyRemoteInstancePassword: 'S3cret!',
    });
    await settings.update({ keyRemoteInstanceUrl: 'https://central.example.org' });
    assert.equal(await settings.value('keyRemoteInstancePassword'), 'S3cret!');
    await settings.update({ keyRemoteInstanceUrl: 'https://elsewhere.example.org' });
    assert.equal((await settings.secretStatus()).keyRemoteInstancePassword, false);
    await settings.update({
      keyRemoteInstanceUrl: 'https://third.example.org',
      keyRemoteInstancePassword: 'N3w-secret',
    });
    assert.equal(await settings.value('keyRemoteInstancePassword'), 'N3w-secret');
  });

  it('moving the mail host or port forgets the mail password', async () => {
    const { settings } = service();
    await settings.update({ keyEmailHostName: 'smtp.a', keyEmailPassword: 'Mail-Pass-1' });
    await settings.update({ keyEmailPort: 2525 });
    assert.equal((await settings.secretStatus()).keyEmailPassword, false);
  });

  it('remove falls back to the default', async () => {
    const { settings } = service();
    await settings.update({ keyEmailPort: 2525 });
    await settings.remove('keyEmailPort');
    assert.equal(await settings.getPublic('keyEmailPort'), 587);
  });

  it('reuses a read for maxAgeMs; its own writes and invalidate() are seen at once', async () => {
    const { settings, store, clock } = service(1000);
    assert.equal(await settings.getPublic('keyEmailPort'), 587);
    await store.putMany(new Map([['keyEmailPort', 2000]])); // another process writes
    assert.equal(await settings.getPublic('keyEmailPort'), 587, 'cached read');
    clock.advance(1000);
    assert.equal(await settings.getPublic('keyEmailPort'), 2000, 'the cache lapsed');
    await store.putMany(new Map([['keyEmailPort', 3000]]));
    settings.invalidate();
    assert.equal(await settings.getPublic('keyEmailPort'), 3000);
    await settings.update({ keyEmailPort: 4000 });
    assert.equal(await settings.getPublic('keyEmailPort'), 4000);
  });
});
