/** Metadata versions (issue 5): creating one, and the store the version routes read. */
import type { Config } from '../config.ts';
import type { SettingsService } from '../domain/settings/settings-service.ts';
import { createVersion } from '../domain/versioning/create-version.ts';
import { snapshotScope } from '../domain/versioning/snapshot-scope.ts';
import type { Services } from '../services.ts';
import type { Ports } from './ports.ts';

export function versionsFeature(
  ports: Ports,
  config: Config,
  settings: SettingsService,
): Services['versions'] {
  const { stores, instance, build, clock } = ports;
  return {
    store: stores.versions,
    create: (input) =>
      // Creating a version also writes keySystemMetadataVersion (contract §4 step 8).
      createVersion(
        {
          versions: stores.versions,
          system: () => ({
            id: instance.systemId,
            rev: build.revision,
            version: config.systemVersion,
          }),
          scope: () => snapshotScope((key) => settings.value(key)),
          newId: ports.newUid,
          now: () => clock.now(),
          remoteConfigured: async () => Boolean(await settings.get('keyRemoteInstanceUrl')),
        },
        input,
      ).finally(() => settings.invalidate()),
  };
}
