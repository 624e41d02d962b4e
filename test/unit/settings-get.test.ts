/**
 * Typed settings reads (issue 17 §3): `settings.get(key)` answers the registry's type for the key,
 * its default when unset, secrets opened, and coerces a stored value of another type (written by
 * hand or by an older release) as the untyped reads it replaced did. Over an in-memory store.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SecretBox, SettingStore } from '../../src/domain/ports.ts';
import { createSettingsService } from '../../src/domain/settings/settings-service.ts';

function memoryStore(initial: Record<string, unknown> = {}): SettingStore {
  const values = new Map(Object.entries(initial));
  return {
    all: async () => new Map(values),
    get: async (key) => values.get(key),
    putMany: async (entries, remove = []) => {
      for (const [k, v] of entries) values.set(k, v);
      for (const k of remove) values.delete(k);
    },
    delete: async (key) => values.delete(key),
  };
}

const box: SecretBox = { seal: (s) => `sealed:${s}`, open: (s) => s.replace(/^sealed:/, '') };
const clock = { now: () => new Date('2026-01-01T00:00:00Z') };
const service = (initial?: Record<string, unknown>) =>
  createSettingsService({ store: memoryStore(initial), box, clock });

describe('settings.get', () => {
  it('answers each type’s default when nothing is stored', async () => {
    const s = service();
    assert.equal(await s.get('applicationTitle'), 'metasync');
    assert.equal(await s.get('keyEmailPort'), 587);
    assert.equal(await s.get('keyEmailTls'), true);
    assert.equal(await s.get('keyVersionEnabled'), false);
    assert.equal(await s.get('keyRemoteInstanceUrl'), '');
    assert.equal(await s.get('keyLastMetaDataSyncSuccess'), null);
  });

  it('answers what an update stored, secrets opened', async () => {
    const s = service();
    await s.update({
      keyEmailPort: '2525',
      keyVersionEnabled: 'true',
      keyRemoteInstanceUrl: 'https://central.example',
      keyRemoteInstancePassword: 'Secret-1!',
      keyLastMetaDataSyncSuccess: 0,
    });
    assert.equal(await s.get('keyEmailPort'), 2525);
    assert.equal(await s.get('keyVersionEnabled'), true);
    assert.equal(await s.get('keyRemoteInstanceUrl'), 'https://central.example');
    assert.equal(await s.get('keyRemoteInstancePassword'), 'Secret-1!');
    assert.equal(await s.get('keyLastMetaDataSyncSuccess'), '1970-01-01T00:00:00.000Z');
  });

  it('coerces stored values of another type as String()/Number()/=== true did', async () => {
    const s = service({
      applicationTitle: 42,
      keyEmailUsername: null,
      keyEmailPort: '25',
      keyEmailTls: 'true',
    });
    assert.equal(await s.get('applicationTitle'), '42');
    assert.equal(await s.get('keyEmailUsername'), '');
    assert.equal(await s.get('keyEmailPort'), 25);
    assert.equal(await s.get('keyEmailTls'), false, 'only a stored true is true');
  });

  it('refuses a key the registry does not know (untyped callers)', async () => {
    await assert.rejects(
      service().get('keyNoSuchSetting' as 'applicationTitle'),
      /keyNoSuchSetting/,
    );
  });
});
