/** An in-memory SettingStore, held to the same conformance suite as the database one. */
import type { SettingStore } from '../../../src/domain/ports.ts';
import { clone, refuseNul } from './unique-violation.ts';

export function createMemorySettingStore(): SettingStore {
  const rows = new Map<string, unknown>();
  return {
    async all() {
      return new Map([...rows].map(([k, v]) => [k, clone(v)]));
    },
    async get(key) {
      return rows.has(key) ? clone(rows.get(key)) : undefined;
    },
    async putMany(entries, remove = []) {
      // Checked before any change: the database's transaction writes all or nothing.
      for (const value of entries.values()) refuseNul(value);
      for (const key of remove) rows.delete(key);
      // Stored as JSON text, so a value reads back as JSON would give it (no Dates, no undefined).
      for (const [key, value] of entries) rows.set(key, JSON.parse(JSON.stringify(value)));
    },
    async delete(key) {
      return rows.delete(key);
    },
  };
}
