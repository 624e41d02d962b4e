/**
 * The staged rollout as the central runs it (issue 22): its configuration, what each caller may
 * see of the chain, the canaries' outcomes, and the audited release, hold and withdrawal. The
 * rules are in rollout.ts and release-plan.ts; this wires them to the stores, the audit log and
 * the administrators' mail. Mail is best effort: a broken SMTP server never undoes a release.
 */
import { AppError, ErrorCode, errors } from '../errors.ts';
import type { SettingStore, VersionStore } from '../ports.ts';
import type { SyncAuditLog } from '../sync/sync-ports.ts';
import type { MetadataVersion } from '../versioning/version.ts';
import {
  canaryProgress,
  dueForAutoRelease,
  planHold,
  planRelease,
  planWithdraw,
  type MemberStatus,
  type Plan,
  type RolloutVersion,
} from './release-plan.ts';
import type { RolloutStore, StoredRolloutConfig, Withdrawal } from './rollout-store.ts';
import {
  inRing,
  initialState,
  ROLLOUT_OFF,
  rolloutProblems,
  visiblePrefix,
  type Caller,
  type RolloutConfig,
  type VersionState,
} from './rollout.ts';

/** What the central's administrators are told (issue 22 §5). */
export type RolloutNotice =
  | {
      kind: 'CANARY_FAILED';
      version: string;
      local: string;
      failureKind: string | null;
      message: string | null;
    }
  | { kind: 'RELEASED'; versions: string[]; by: string; reason: string; forced: boolean }
  | { kind: 'WITHDRAWN'; versions: string[]; by: string; reason: string };

export interface RolloutDeps {
  versions: VersionStore;
  store: RolloutStore;
  audit: SyncAuditLog['audit'];
  /** keySystemMetadataVersion, written in the withdrawal's transaction. */
  setVersionSetting: (name: string, trx: SettingStore) => Promise<void>;
  notify: (notice: RolloutNotice) => Promise<void>;
  now: () => Date;
}

export interface RolloutAction {
  by: string;
  reason: string;
}

/** A version as the admin's list shows it: its state and each canary's progress. */
export interface RolloutVersionView {
  name: string;
  id: string;
  type: string;
  created: string;
  state: VersionState;
  canaries: MemberStatus[];
}

/** The user the automatic release's audit entries name: it acts on nobody's request. */
export const AUTO_RELEASE_USER = 'auto-release';

const stateOf = (v: MetadataVersion): VersionState => v.state ?? 'RELEASED';

const asRollout = (v: MetadataVersion): RolloutVersion => ({
  id: v.id,
  name: v.name,
  number: v.number,
  state: stateOf(v),
  created: v.created,
});

function requireReason(reason: string): void {
  if (reason.trim().length < 5)
    throw errors.invalidField(
      'reason',
      'A reason of at least 5 characters is required for the audit log',
    );
}

function refusal(plan: Exclude<Plan, { ok: true }>): AppError {
  if (plan.reason === 'NOT_FOUND') return errors.notFound(plan.message);
  return new AppError(ErrorCode.CONFLICT, plan.message, {
    details:
      plan.reason === 'CANARY_FAILED' ? { failures: plan.failures } : { reason: plan.reason },
  });
}

export function createRolloutService(deps: RolloutDeps) {
  const config = async (): Promise<RolloutConfig> => (await deps.store.config()) ?? ROLLOUT_OFF;

  const chain = async () => [...(await deps.versions.list())].sort((a, b) => a.number - b.number);

  const progress = async (versions: MetadataVersion[], c: RolloutConfig) =>
    canaryProgress(
      versions.map(asRollout),
      c.ring,
      await deps.store.outcomes(),
      // Only the callers of this server: a local a relay reported (issue 21 §4) reads the
      // relay's history, not ours, so its position proves nothing of our canaries.
      (await deps.versions.fleet())
        .filter((f) => f.via === null)
        .map((f) => ({
          systemId: f.systemId,
          username: f.username,
          baseline: f.baseline,
        })),
    );

  const audit = (action: string, by: string, reason: string, details: Record<string, unknown>) =>
    deps.audit({ action, username: by, at: deps.now(), reason, details });

  /**
   * The versions `caller` may see (a prefix of the chain by number), in the order given
   * (`versions`, or the store's list).
   */
  const visibleTo = async (
    caller: Caller,
    versions?: MetadataVersion[],
  ): Promise<MetadataVersion[]> => {
    const all = versions ?? (await deps.versions.list());
    // Nothing held back (every central without rollout): no configuration read at all.
    if (all.every((v) => stateOf(v) === 'RELEASED')) return all;
    const byNumber = [...all].sort((a, b) => a.number - b.number);
    const ring = inRing(await config(), caller);
    const shown = new Set(
      byNumber.slice(0, visiblePrefix(byNumber.map(stateOf), ring)).map((v) => v.id),
    );
    return all.filter((v) => shown.has(v.id));
  };

  const release = async (
    name: string,
    input: RolloutAction & { force: boolean },
  ): Promise<string[]> => {
    const c = await config();
    const versions = await chain();
    const plan = planRelease(
      versions.map(asRollout),
      await progress(versions, c),
      name,
      input.force,
    );
    if (!plan.ok) throw refusal(plan);
    if (plan.names.length === 0) return [];
    await deps.versions.setState(plan.names, 'RELEASED', deps.now());
    await audit('ROLLOUT_RELEASE', input.by, input.reason, {
      version: name,
      released: plan.names,
      force: input.force,
    });
    await deps.notify({
      kind: 'RELEASED',
      versions: plan.names,
      by: input.by,
      reason: input.reason,
      forced: input.force,
    });
    return plan.names;
  };

  return {
    config,
    stored: (): Promise<StoredRolloutConfig | null> => deps.store.config(),

    async saveConfig(next: RolloutConfig, by: string): Promise<StoredRolloutConfig> {
      const problems = rolloutProblems(next);
      if (problems.length > 0)
        throw new AppError(ErrorCode.VALIDATION_FAILED, problems.map((p) => p.message).join('; '), {
          fields: problems,
        });
      const saved = { ...next, updatedBy: by, updatedAt: deps.now() };
      await deps.store.saveConfig(saved);
      await audit('ROLLOUT_CONFIG', by, 'rollout configuration saved', { ...next });
      return saved;
    },

    /** The state a version created now starts in. */
    initialState: async (): Promise<VersionState> => initialState(await config()),

    visibleTo,

    /** Whether `caller` may see `version`: a released one always (its chain is released too). */
    async visible(caller: Caller, version: MetadataVersion): Promise<boolean> {
      if (stateOf(version) === 'RELEASED') return true;
      return (await visibleTo(caller)).some((v) => v.id === version.id);
    },

    /** The admin's view: every version with its state and its canaries' progress. */
    async overview(): Promise<{
      config: RolloutConfig;
      versions: RolloutVersionView[];
      withdrawals: Withdrawal[];
    }> {
      const c = await config();
      const versions = await chain();
      const p = await progress(versions, c);
      return {
        config: c,
        versions: versions.map((v) => ({
          name: v.name,
          id: v.id,
          type: v.type,
          created: v.created.toISOString(),
          state: stateOf(v),
          canaries: p.get(v.id) ?? [],
        })),
        withdrawals: await deps.versions.withdrawals(),
      };
    },

    async release(name: string, input: RolloutAction & { force: boolean }) {
      requireReason(input.reason);
      return release(name, input);
    },

    async hold(name: string, input: RolloutAction): Promise<string[]> {
      requireReason(input.reason);
      const plan = planHold((await chain()).map(asRollout), name);
      if (!plan.ok) throw refusal(plan);
      await deps.versions.setState(plan.names, 'HELD', deps.now());
      await audit('ROLLOUT_HOLD', input.by, input.reason, { version: name, held: plan.names });
      return plan.names;
    },

    async withdraw(name: string, input: RolloutAction): Promise<string[]> {
      requireReason(input.reason);
      const versions = await chain();
      const plan = planWithdraw(versions.map(asRollout), name);
      if (!plan.ok) throw refusal(plan);
      const from = versions.find((v) => v.name === name)!.number;
      const removed = await deps.versions.withdraw(
        from,
        { by: input.by, at: deps.now(), reason: input.reason },
        async ({ removed, latest, settings }) => {
          // A release may have slipped in between the plan and the lock: undo, withdraw nothing.
          const released = removed.filter((v) => stateOf(v) === 'RELEASED');
          if (released.length > 0)
            throw errors.conflict(
              `${released.map((v) => v.name).join(', ')} was released meanwhile: nothing was withdrawn.`,
            );
          await deps.setVersionSetting(latest?.name ?? '', settings);
        },
      );
      const names = removed.map((v) => v.name);
      await audit('ROLLOUT_WITHDRAW', input.by, input.reason, {
        version: name,
        withdrawn: names,
        hashCodes: removed.map((v) => v.hashCode),
      });
      await deps.notify({ kind: 'WITHDRAWN', versions: names, by: input.by, reason: input.reason });
      return names;
    },

    /**
     * A local's outcome for a version it tried (issue 22 §3). An unknown version (withdrawn
     * since, or never here) is ignored: there is nothing left to judge. A ring member's failure
     * is mailed to the administrators.
     */
    async recordOutcome(
      caller: Caller,
      input: {
        version: string;
        status: 'SUCCESS' | 'FAILED';
        failureKind: string | null;
        message: string | null;
      },
    ): Promise<{ recorded: boolean }> {
      const v = await deps.versions.byName(input.version);
      if (!v) return { recorded: false };
      await deps.store.recordOutcome({
        versionId: v.id,
        systemId: caller.systemId,
        username: caller.username,
        status: input.status,
        failureKind: input.status === 'FAILED' ? input.failureKind : null,
        message: input.status === 'FAILED' ? input.message : null,
        at: deps.now(),
      });
      if (input.status === 'FAILED' && stateOf(v) !== 'RELEASED' && inRing(await config(), caller))
        await deps.notify({
          kind: 'CANARY_FAILED',
          version: v.name,
          local: caller.systemId ? `system:${caller.systemId}` : `user:${caller.username}`,
          failureKind: input.failureKind,
          message: input.message,
        });
      return { recorded: true };
    },

    /** The note of a withdrawn version by the hash a local holds it with, or null. */
    async withdrawal(hashCode: string): Promise<Withdrawal | null> {
      return (await deps.versions.withdrawals()).find((w) => w.hashCode === hashCode) ?? null;
    },

    /** Releases what the automatic release lets go now; called on a timer and after outcomes. */
    async autoRelease(): Promise<string[]> {
      const c = await config();
      if (c.autoReleaseAfterMinutes === null) return [];
      const versions = await chain();
      const due = dueForAutoRelease(
        versions.map(asRollout),
        await progress(versions, c),
        c.autoReleaseAfterMinutes,
        deps.now(),
      );
      if (due.length === 0) return [];
      return release(due.at(-1)!, {
        by: AUTO_RELEASE_USER,
        reason: `every ring member reached ${due.join(', ')} without a failure for ${c.autoReleaseAfterMinutes} min`,
        force: false,
      });
    },
  };
}

export type RolloutService = ReturnType<typeof createRolloutService>;
