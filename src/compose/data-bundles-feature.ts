/**
 * Data bundles (issue 20 §5): a local's export of the data it would push, signed with its own key
 * (issue 20 §1), and a central's import of it, checked against the key it pinned for that local.
 * The export reads and moves the data push's own watermarks; the import runs the central's data
 * import, the code behind the push's POSTs.
 */
import { exportDataBundle, type DataBundleExport } from '../bundle/data-bundle-export.ts';
import {
  importDataBundle,
  type DataBundleImportResult,
  type DataBundlePartResult,
} from '../bundle/data-bundle-import.ts';
import { createLocalKeyTrust, type LocalKeyTrust } from '../domain/bundle/local-keys.ts';
import type { DataService } from '../domain/data/import-data.ts';
import type { SettingsService } from '../domain/settings/settings-service.ts';
import type { Ports } from './ports.ts';
import type { SigningService } from './signing-feature.ts';

export interface DataBundlesService {
  /** A local's bundle of what it would push (`all`: every row); `commit` once it is out whole. */
  export(options: { all: boolean }): Promise<DataBundleExport>;
  /** A central's import of the bundle in `file`, as `username` (audited). */
  import(
    file: string,
    username: string,
    onPart?: (part: DataBundlePartResult, total: number) => void,
  ): Promise<DataBundleImportResult>;
  /** The locals' keys this central pins (list, pin, unpin: audited). */
  localKeys: LocalKeyTrust;
}

export function dataBundlesFeature(
  ports: Ports,
  settings: SettingsService,
  signing: Pick<SigningService, 'key'>,
  data: DataService,
): DataBundlesService {
  const { stores, clock } = ports;
  const now = () => clock.now();
  const localKeys = createLocalKeyTrust({ store: stores.localKeys, audit: stores.sync, now });
  const deps = {
    store: stores.data,
    settings,
    signer: signing.key,
    system: async () => ({
      systemId: ports.instance.systemId,
      systemName: await settings.get('applicationTitle'),
    }),
    clock,
  };
  // One export at a time: the next reads the watermarks the one before moved (its download
  // done, or dropped), not the same rows again. The turn passes on `dispose`.
  let turn: Promise<void> = Promise.resolve();
  const exportOne = async (options: { all: boolean }): Promise<DataBundleExport> => {
    const previous = turn;
    let release!: () => void;
    turn = new Promise((resolve) => (release = resolve));
    await previous;
    try {
      const bundle = await exportDataBundle(deps, options);
      return {
        ...bundle,
        dispose: () => bundle.dispose().finally(release),
      };
    } catch (e) {
      release();
      throw e;
    }
  };
  return {
    export: exportOne,
    import: (file, username, onPart) =>
      importDataBundle({ data, trust: localKeys, audit: stores.sync, now }, file, username, onPart),
    localKeys,
  };
}
