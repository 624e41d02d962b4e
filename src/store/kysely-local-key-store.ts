/** LocalKeyStore over Kysely (issue 20 §5): one `local_signing_key` row per local systemId. */
import type { Kysely, Selectable } from 'kysely';
import type { LocalKeyStore, PinnedLocalKey } from '../domain/bundle/local-keys.ts';
import type { Database, LocalSigningKeyTable } from './schema.ts';

const fromRow = (r: Selectable<LocalSigningKeyTable>): PinnedLocalKey => ({
  systemId: r.system_id,
  publicKeyPem: r.public_key,
  fingerprint: r.fingerprint,
  pinnedBy: r.pinned_by,
  pinnedAt: new Date(r.pinned_at),
  reason: r.reason,
});

export function createKyselyLocalKeyStore(db: Kysely<Database>): LocalKeyStore {
  return {
    async list() {
      const rows = await db
        .selectFrom('local_signing_key')
        .selectAll()
        .orderBy('system_id')
        .execute();
      return rows.map(fromRow);
    },
    async find(systemId) {
      const row = await db
        .selectFrom('local_signing_key')
        .selectAll()
        .where('system_id', '=', systemId)
        .executeTakeFirst();
      return row ? fromRow(row) : null;
    },
    async put(key) {
      const values = {
        public_key: key.publicKeyPem,
        fingerprint: key.fingerprint,
        pinned_by: key.pinnedBy,
        pinned_at: key.pinnedAt,
        reason: key.reason,
      };
      await db
        .insertInto('local_signing_key')
        .values({ system_id: key.systemId, ...values })
        .onConflict((oc) => oc.column('system_id').doUpdateSet(values))
        .execute();
    },
    async remove(systemId) {
      const r = await db
        .deleteFrom('local_signing_key')
        .where('system_id', '=', systemId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
