/** Offline bundles (issue 20): the export a central's routes and CLI share, and a local's import. */
import { exportBundle } from '../bundle/bundle-export.ts';
import { importBundle } from '../bundle/bundle-import.ts';
import type { SyncService } from '../sync/sync-service.ts';
import type { SettingsService } from '../domain/settings/settings-service.ts';
import type { Services } from '../services.ts';
import type { Ports } from './ports.ts';
import type { SigningService } from './signing-feature.ts';

/** The manifest is signed with the instance's own key (issue 20 §1), opened on first export. */
export function bundlesFeature(
  ports: Ports,
  settings: SettingsService,
  signing: Pick<SigningService, 'key' | 'pinned'>,
  sync: Pick<SyncService, 'start'>,
): Services['bundles'] {
  const deps = {
    versions: ports.stores.versions,
    signer: signing.key,
    system: async () => ({
      systemId: ports.instance.systemId,
      systemName: await settings.get('applicationTitle'),
    }),
    clock: ports.clock,
  };
  const importDeps = {
    pinned: signing.pinned,
    versions: ports.stores.versions,
    start: sync.start,
  };
  return {
    export: (range, baseUrl) => exportBundle(deps, range, baseUrl),
    import: (input) => importBundle(importDeps, input),
  };
}
