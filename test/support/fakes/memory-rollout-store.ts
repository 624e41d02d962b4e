/** An in-memory RolloutStore (src/domain/rollout/rollout-store.ts), held to its conformance suite. */
import type { CanaryOutcome } from '../../../src/domain/rollout/release-plan.ts';
import {
  localKey,
  type RolloutStore,
  type StoredRolloutConfig,
} from '../../../src/domain/rollout/rollout-store.ts';

export function createMemoryRolloutStore(): RolloutStore {
  let config: StoredRolloutConfig | null = null;
  const outcomes = new Map<string, CanaryOutcome>();
  return {
    config: async () => (config ? structuredClone(config) : null),
    async saveConfig(c) {
      config = structuredClone(c);
    },
    async recordOutcome(o) {
      outcomes.set(`${o.versionId}\u0000${localKey(o)}`, { ...o });
    },
    outcomes: async () =>
      [...outcomes.values()].sort((a, b) => a.at.getTime() - b.at.getTime()).map((o) => ({ ...o })),
  };
}
