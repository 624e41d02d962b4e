/**
 * A relay's side of the tree (issue 21 §4, §5): after a run it keeps its upstream's name and
 * reports its whole downstream fleet to a metasync upstream; its status reads the counts over
 * that tree. A DHIS2 upstream is never sent the report (its info has no `metasyncVersion`).
 */
import type { VersionStore } from '../domain/ports.ts';
import type { SettingsService } from '../domain/settings/settings-service.ts';
import type { CentralClient } from '../domain/sync/central-client.ts';
import { isRelay } from '../domain/sync/relay.ts';
import type { SyncReport } from '../domain/sync/sync-report.ts';
import type { RelayStatus } from '../domain/sync/sync-status.ts';
import { downstreamCounts, fleetView } from '../domain/versioning/fleet.ts';
import { downstreamReport } from '../domain/versioning/fleet-report.ts';

export interface FleetUpwardDeps {
  /** This instance's system id: the `relay` of its direct locals in the report. */
  systemId: string;
  versions: Pick<VersionStore, 'list' | 'fleet'>;
  settings: Pick<SettingsService, 'get' | 'update'>;
  log: (obj: Record<string, unknown>, msg: string) => void;
}

export function createFleetUpward(deps: FleetUpwardDeps) {
  const relay = async () =>
    isRelay(
      await deps.settings.get('keyRemoteInstanceUrl'),
      await deps.settings.get('keyVersionEnabled'),
    );
  return {
    /**
     * After a run that reached its central: keeps the central's name, and on a relay with a
     * metasync upstream sends the downstream fleet, noting the outcome on the report (saved).
     */
    async afterRun(
      central: CentralClient,
      report: SyncReport,
      save: (r: SyncReport) => Promise<void>,
    ): Promise<void> {
      const info = report.central;
      if (!info) return;
      const name = info.name ?? '';
      if (info.name !== undefined && (await deps.settings.get('keyRemoteSystemName')) !== name)
        await deps.settings
          .update({ keyRemoteSystemName: name })
          .catch((e: unknown) => deps.log({ err: e }, 'could not keep the central’s name'));
      if (!info.metasync || !central.reportFleet || !(await relay())) return;
      try {
        const locals = downstreamReport(deps.systemId, await deps.versions.fleet());
        const kept = await central.reportFleet(locals);
        report.fleet = {
          status: 'SENT',
          locals: kept,
          message: `Reported ${kept} downstream local(s) to the central.`,
        };
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        deps.log({ reportId: report.id, err: e }, 'could not report the downstream fleet');
        report.fleet = {
          status: 'FAILED',
          locals: 0,
          message: `The downstream fleet was not reported: ${message}`,
        };
      }
      await save(report).catch((e: unknown) =>
        deps.log({ reportId: report.id, err: e }, 'fleet report outcome not saved'),
      );
    },

    /** The relay part of the status; null when this instance is no relay. */
    async status(remoteUrl: string): Promise<RelayStatus | null> {
      if (!isRelay(remoteUrl, await deps.settings.get('keyVersionEnabled'))) return null;
      const tree = fleetView(await deps.versions.list(), await deps.versions.fleet(), 'all');
      return {
        upstream: {
          url: remoteUrl,
          name: (await deps.settings.get('keyRemoteSystemName')) || null,
        },
        downstream: downstreamCounts(tree),
      };
    },
  };
}

export type FleetUpward = ReturnType<typeof createFleetUpward>;
