/**
 * System settings use cases. Reads share one read of all settings for `maxAgeMs` (500 ms): a
 * change made through this service is seen at once in this process (a write drops the cached
 * read), one made by another process on the same database within that time (issue 3 allows a
 * second). Code reads a setting through `get(key)`, typed by the registry; `value`/`getPublic`
 * take any string key (the settings API). Secret values are sealed before they reach the store
 * and are never part of any public view.
 */
import { errors } from '../errors.ts';
import type { Clock, SecretBox, SettingStore } from '../ports.ts';
import { parseSettingValue, type SettingValue } from './parse-setting.ts';
import { SETTINGS, type SettingDef, type SettingKey, type SettingValues } from './registry.ts';

export interface SettingsDeps {
  store: SettingStore;
  box: SecretBox;
  clock: Clock;
  /**
   * How long one read of all settings may be reused. Issue 3 allows a change made by another
   * process to take up to a second to be seen; writes through this service are seen at once.
   */
  maxAgeMs?: number;
}

const managedSetting = (def: SettingDef) =>
  errors.conflict(`${def.key} is changed only through ${def.managed}, which audits the change`);

function definition(key: string): SettingDef {
  const def = SETTINGS.get(key);
  if (!def) throw errors.settingUnknown(key);
  return def;
}

export function createSettingsService({ store, box, clock, maxAgeMs = 500 }: SettingsDeps) {
  let cached: { at: number; values: Map<string, unknown> } | null = null;
  /**
   * Moved by every write, before and after it: a read that was under way meanwhile (another
   * request's) may hold the old values, so it answers them but does not cache them.
   */
  let generation = 0;
  const forget = () => {
    generation++;
    cached = null;
  };
  async function stored(): Promise<Map<string, unknown>> {
    const now = clock.now().getTime();
    if (cached && now - cached.at < maxAgeMs) return cached.values;
    const started = generation;
    const values = await store.all();
    if (started === generation) cached = { at: now, values };
    return values;
  }

  /** Every non-secret setting, stored value or default, keyed as DHIS2 names them. */
  async function listPublic(): Promise<Record<string, SettingValue>> {
    const current = await stored();
    const out: Record<string, SettingValue> = {};
    for (const def of SETTINGS.values()) {
      if (def.secret) continue;
      out[def.key] = current.has(def.key) ? (current.get(def.key) as SettingValue) : def.default;
    }
    return out;
  }

  /** Which secret settings hold a value; the values themselves never leave the server. */
  async function secretStatus(): Promise<Record<string, boolean>> {
    const current = await stored();
    const out: Record<string, boolean> = {};
    for (const def of SETTINGS.values()) if (def.secret) out[def.key] = current.has(def.key);
    return out;
  }

  /** A setting's value for API output: secrets answer '' as DHIS2 does for confidential keys. */
  async function getPublic(key: string): Promise<SettingValue> {
    const def = definition(key);
    if (def.secret) return '';
    const v = (await stored()).get(key);
    return v === undefined ? def.default : (v as SettingValue);
  }

  /** The real value for internal use (e.g. the sync job's remote password), secrets opened. */
  async function value(key: string): Promise<SettingValue> {
    const def = definition(key);
    const v = (await stored()).get(key);
    if (v === undefined) return def.default;
    if (!def.secret) return v as SettingValue;
    try {
      return box.open(String(v));
    } catch {
      // A database restored (or shared) under another encryption.password: say so, instead of
      // an anonymous 500 with a cipher error in the log (found by the backup/restore test).
      throw errors.conflict(
        `The stored ${key} cannot be opened with this server's encryption.password: configure the one it was saved with, or set ${key} again`,
      );
    }
  }

  /**
   * A setting's real value (secrets opened), typed by the registry. A stored value of another
   * type (written by hand, or by an older release) is coerced as the untyped reads did.
   */
  async function get<K extends SettingKey>(key: K): Promise<SettingValues[K]> {
    const v = await value(key);
    const typed: Record<SettingDef['type'], () => unknown> = {
      boolean: () => v === true,
      integer: () => Number(v),
      string: () => String(v ?? ''),
      date: () => (v === null || v === '' ? null : String(v)),
    };
    return typed[definition(key).type]() as SettingValues[K];
  }

  /**
   * Validates every entry first and then writes all of them in one transaction: one bad value
   * rejects the whole request and changes nothing. `via` is a SettingStore bound to a caller's
   * own transaction (version creation writes keySystemMetadataVersion with the version, contract
   * §4 step 8); the cached read is dropped either way, so the write is seen at once.
   */
  async function update(
    entries: Record<string, unknown>,
    via: SettingStore = store,
  ): Promise<void> {
    const prepared = new Map<string, unknown>();
    const cleared: string[] = [];
    for (const [key, raw] of Object.entries(entries)) {
      const def = definition(key);
      const parsed = parseSettingValue(def, raw);
      if (!parsed.ok) throw errors.settingInvalid(key, parsed.reason);
      if (def.managed) {
        // A client posting the whole listing back sends it unchanged: nothing to refuse.
        if (parsed.value === (await value(key))) continue;
        throw managedSetting(def);
      }
      if (def.secret && (parsed.value === '' || parsed.value === null)) cleared.push(key);
      else prepared.set(key, def.secret ? box.seal(String(parsed.value)) : parsed.value);
    }
    cleared.push(...(await unboundSecrets(via, entries, prepared)));
    forget();
    if (prepared.size > 0 || cleared.length > 0) await via.putMany(prepared, cleared);
    forget();
  }

  /** Stored secrets whose destination this update moves without setting them again. */
  async function unboundSecrets(
    store: SettingStore,
    entries: Record<string, unknown>,
    prepared: Map<string, unknown>,
  ): Promise<string[]> {
    const bound = [...SETTINGS.values()].filter(
      (def) => def.boundTo && !(def.key in entries) && def.boundTo.some((k) => prepared.has(k)),
    );
    if (bound.length === 0) return [];
    const current = await store.all(); // fresh: the comparison must not use a stale read
    const value = (key: string) =>
      JSON.stringify(current.has(key) ? current.get(key) : definition(key).default);
    return bound
      .filter((def) => current.has(def.key))
      .filter((def) =>
        def.boundTo!.some((k) => prepared.has(k) && JSON.stringify(prepared.get(k)) !== value(k)),
      )
      .map((def) => def.key);
  }

  async function remove(key: string): Promise<void> {
    const def = definition(key);
    if (def.managed && (await value(key)) !== def.default) throw managedSetting(def);
    forget();
    await store.delete(key);
    forget();
  }

  /** Writes a `managed` setting: only for the use case that owns it (it audits the change). */
  async function putManaged(key: SettingKey, value: string): Promise<void> {
    const def = definition(key);
    if (!def.managed) throw new Error(`${key} is not a managed setting`);
    forget();
    if (value === '') await store.delete(key);
    else await store.putMany(new Map([[key, value]]), []);
    forget();
  }

  /** Forget the cached read, after something wrote the settings table behind this service. */
  const invalidate = forget;

  return {
    invalidate,
    listPublic,
    secretStatus,
    getPublic,
    get,
    value,
    update,
    remove,
    putManaged,
    isSecret: (key: string) => definition(key).secret === true,
  };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
