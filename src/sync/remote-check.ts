/**
 * Reading the central's position outside a run: the status's ?refresh=true (issue 17 §6: the
 * status called a local UP_TO_DATE on the last run's word while the central had moved on), and
 * telling the central where a run left the local (its fleet view).
 */
import type { VersionStore } from '../domain/ports.ts';
import type { CentralClient } from '../domain/sync/central-client.ts';
import type { SyncSettings } from '../domain/sync/run-sync.ts';
import type { SyncReport } from '../domain/sync/sync-report.ts';
import { versionNumber } from '../domain/versioning/version.ts';

export interface RemoteCheckDeps {
  client: () => Promise<CentralClient>;
  versions: Pick<VersionStore, 'latest'>;
  settings: SyncSettings;
  now: () => Date;
  log: (obj: Record<string, unknown>, msg: string) => void;
}

/** A status read waits this long for the central at most; a run has its own, longer limits. */
const REFRESH_MS = 10_000;

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`The central did not answer within ${ms / 1000} s`)),
      ms,
    );
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export function createRemoteCheck(deps: RemoteCheckDeps) {
  /** The newest check made in this process, and why it failed if it did. */
  let last: { at: string | null; error: string | null } = { at: null, error: null };
  return {
    last: () => last,
    /**
     * Asks the central's history from this instance's current version, as a run does, and
     * records its newest version in `keyRemoteMetadataVersion`.
     */
    async refresh(): Promise<void> {
      const at = deps.now().toISOString();
      try {
        const current = await deps.versions.latest();
        const newer = await within(
          REFRESH_MS,
          deps.client().then((c) => c.history(current?.name ?? null)),
        );
        // The newest as the run orders them: by creation, then by number.
        const newest = newer
          .map((v) => ({ name: v.name, t: v.created.getTime(), n: versionNumber(v.name) ?? 0 }))
          .sort((a, b) => a.t - b.t || a.n - b.n)
          .at(-1)?.name;
        await deps.settings.update({ keyRemoteMetadataVersion: newest ?? current?.name ?? '' });
        last = { at, error: null };
      } catch (e) {
        last = { at: last.at, error: e instanceof Error ? e.message : String(e) };
      }
    },
    /**
     * The central records where each local is from its history calls (its fleet view, issue 5
     * §5). A run that imported versions asks once more from the version it reached, so the
     * central sees it there at once, not at the next poll; this is DHIS2's own history call, so
     * a DHIS2 central answers it as any other. Best effort: the run has succeeded already.
     */
    async tellCentral(central: CentralClient, report: SyncReport): Promise<void> {
      if (!report.toVersion || report.toVersion === report.fromVersion) return;
      await central.history(report.toVersion).catch((e: unknown) => {
        deps.log({ reportId: report.id, err: e }, 'could not tell the central the version reached');
      });
    },
  };
}
