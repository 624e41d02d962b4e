/** Offline bundles (issue 20): the export a central's route and CLI share. */
import { exportBundle } from '../bundle/bundle-export.ts';
import type { BundleSigner } from '../domain/bundle/signer.ts';
import { errors } from '../domain/errors.ts';
import type { SettingsService } from '../domain/settings/settings-service.ts';
import type { Services } from '../services.ts';
import type { Ports } from './ports.ts';

/** Until the instance's key service is wired (issue 20 §1), an export says why it cannot sign. */
const noSigningKey = (): Promise<BundleSigner> =>
  Promise.reject(errors.unavailable('This instance has no key to sign bundles with yet'));

export function bundlesFeature(ports: Ports, settings: SettingsService): Services['bundles'] {
  const deps = {
    versions: ports.stores.versions,
    signer: ports.bundleSigner ?? noSigningKey,
    system: async () => ({
      systemId: ports.instance.systemId,
      systemName: await settings.get('applicationTitle'),
    }),
    clock: ports.clock,
  };
  return { export: (range, baseUrl) => exportBundle(deps, range, baseUrl) };
}
