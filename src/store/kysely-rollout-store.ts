/** The RolloutStore port (src/domain/rollout/rollout-store.ts) over Kysely (migration 0014). */
import type { Kysely } from 'kysely';
import type { CanaryOutcome } from '../domain/rollout/release-plan.ts';
import { localKey, type RolloutStore } from '../domain/rollout/rollout-store.ts';
import type { RingMember } from '../domain/rollout/rollout.ts';
import type { Database } from './schema.ts';

export function createKyselyRolloutStore(db: Kysely<Database>): RolloutStore {
  return {
    async config() {
      const r = await db
        .selectFrom('rollout_config')
        .selectAll()
        .where('id', '=', 1)
        .executeTakeFirst();
      return r
        ? {
            enabled: r.enabled,
            ring: r.ring as RingMember[],
            autoReleaseAfterMinutes: r.auto_release_minutes,
            updatedBy: r.updated_by,
            updatedAt: r.updated_at,
          }
        : null;
    },
    async saveConfig(c) {
      const row = {
        enabled: c.enabled,
        ring: JSON.stringify(c.ring),
        auto_release_minutes: c.autoReleaseAfterMinutes,
        updated_by: c.updatedBy,
        updated_at: c.updatedAt,
      };
      await db
        .insertInto('rollout_config')
        .values({ id: 1, ...row })
        .onConflict((oc) => oc.column('id').doUpdateSet(row))
        .execute();
    },
    async recordOutcome(o) {
      const row = {
        system_id: o.systemId,
        username: o.username,
        status: o.status,
        failure_kind: o.failureKind,
        message: o.message,
        at: o.at,
      };
      await db
        .insertInto('rollout_outcome')
        .values({ version_id: o.versionId, local_key: localKey(o), ...row })
        .onConflict((oc) => oc.columns(['version_id', 'local_key']).doUpdateSet(row))
        .execute();
    },
    async outcomes() {
      const rows = await db.selectFrom('rollout_outcome').selectAll().orderBy('at').execute();
      return rows.map((r): CanaryOutcome => ({
        versionId: r.version_id,
        systemId: r.system_id,
        username: r.username,
        status: r.status as CanaryOutcome['status'],
        failureKind: r.failure_kind,
        message: r.message,
        at: r.at,
      }));
    },
  };
}
