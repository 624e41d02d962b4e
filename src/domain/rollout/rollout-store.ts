/**
 * What the staged rollout keeps (issue 22): the central's configuration, what each local reported
 * of each version it tried. The versions' states and the notes of withdrawn versions live with
 * the versions (VersionStore.setState, withdraw, withdrawals), which the create lock guards.
 */
import type { CanaryOutcome } from './release-plan.ts';
import type { RolloutConfig } from './rollout.ts';

export interface StoredRolloutConfig extends RolloutConfig {
  updatedBy: string;
  updatedAt: Date;
}

/** A version that was withdrawn: a canary holding it is told why it is gone. */
export interface Withdrawal {
  id: string;
  name: string;
  hashCode: string;
  by: string;
  at: Date;
  reason: string;
}

/** `system:<id>` for a local that sent its system id, else `user:<name>`: one local. */
export const localKey = (o: { systemId: string | null; username: string }): string =>
  o.systemId ? `system:${o.systemId}` : `user:${o.username}`;

export interface RolloutStore {
  /** The configuration, or null when it was never saved (rollout off). */
  config(): Promise<StoredRolloutConfig | null>;
  saveConfig(config: StoredRolloutConfig): Promise<void>;
  /** Keeps a local's newest outcome per version (a later report replaces an earlier one). */
  recordOutcome(outcome: CanaryOutcome): Promise<void>;
  outcomes(): Promise<CanaryOutcome[]>;
}
