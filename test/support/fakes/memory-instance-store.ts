/** An in-memory InstanceStore: the first `ensure` wins, as the database's single row does. */
import type { InstanceInfo, InstanceStore, StoredSigningKey } from '../../../src/domain/ports.ts';
import { clone } from './unique-violation.ts';

export function createMemoryInstanceStore(): InstanceStore {
  let row: InstanceInfo | null = null;
  let key: StoredSigningKey | null = null;
  return {
    async ensure(fresh) {
      row ??= clone(fresh);
      return clone(row);
    },
    async ensureSigningKey(fresh) {
      key ??= fresh();
      return { ...key };
    },
  };
}
