/** Metadata versions (issue 5): creating one, previewing the next, and the reads the version routes answer from. */
import type { Config } from '../config.ts';
import type { VersionState } from '../domain/rollout/rollout.ts';
import type { SettingsService } from '../domain/settings/settings-service.ts';
import {
  createVersion,
  previewVersion,
  type CreateVersionDeps,
} from '../domain/versioning/create-version.ts';
import { fleetView } from '../domain/versioning/fleet.ts';
import { reportedEntries } from '../domain/versioning/fleet-report.ts';
import type { Services } from '../services.ts';
import type { Ports } from './ports.ts';

export function versionsFeature(
  ports: Ports,
  config: Config,
  settings: SettingsService,
  initialState: () => Promise<VersionState>,
): Services['versions'] {
  const { stores, instance, build, clock } = ports;
  // keySystemMetadataVersion is written through the settings service inside the version's
  // transaction (contract §4 step 8), so no cache is invalidated here.
  const deps: CreateVersionDeps = {
    versions: stores.versions,
    settings,
    system: () => ({ id: instance.systemId, rev: build.revision, version: config.systemVersion }),
    newId: ports.newUid,
    now: () => clock.now(),
    initialState,
  };
  const { versions } = stores;
  return {
    list: () => versions.list(),
    byName: (name) => versions.byName(name),
    latest: () => versions.latest(),
    readSnapshot: (id, kind, range) => versions.readSnapshot(id, kind, range),
    recordFleet: (entry) => versions.recordFleet(entry),
    fleet: async (depth) =>
      fleetView(
        await versions.list(),
        await versions.fleet(),
        depth,
        await stores.rollout.outcomes(),
      ),
    async reportDownstream(relay, locals) {
      const entries = reportedEntries(instance.systemId, relay, locals);
      await versions.replaceReported(relay, entries);
      return entries.length;
    },
    create: (input) => createVersion(deps, input),
    preview: () => previewVersion(deps),
  };
}
