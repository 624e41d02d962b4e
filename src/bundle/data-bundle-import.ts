/**
 * A local's data bundle imported on its central (issue 20 §5): checked whole first (the local's
 * pinned key, every part's size and SHA-256), then each part imported through the central's own
 * data import, the code behind the push's POSTs, with the push's parameters: so each part's
 * ImportSummary is what the push of that page would have been answered. The central's import of
 * a value it holds already changes nothing, so the same bundle imported twice adds nothing.
 */
import type {
  DataBundleManifest,
  DataBundleSource,
  DataKind,
} from '../domain/bundle/data-manifest.ts';
import type { LocalKeyTrust } from '../domain/bundle/local-keys.ts';
import type { DataService } from '../domain/data/import-data.ts';
import type { ImportSummaries, ImportSummary } from '../domain/data/import-summary.ts';
import type { SyncAuditLog } from '../domain/sync/sync-ports.ts';
import { dataBundleBodies, verifyDataBundle } from './data-bundle-reader.ts';

export const IMPORT_DATA_BUNDLE = 'IMPORT_DATA_BUNDLE';

export interface DataBundleImportDeps {
  data: Pick<DataService, 'importValues' | 'importRegistrations' | 'importEvents'>;
  trust: Pick<LocalKeyTrust, 'check'>;
  audit: Pick<SyncAuditLog, 'audit'>;
  now: () => Date;
}

export interface DataBundlePartResult {
  kind: DataKind;
  count: number;
  importSummary: ImportSummary | ImportSummaries;
}

export interface DataBundleImportResult {
  source: DataBundleSource;
  parts: DataBundlePartResult[];
}

/** The central's import of one push page, with the parameters the push's POST carries. */
function importPart(deps: DataBundleImportDeps, kind: DataKind, body: Record<string, unknown>) {
  switch (kind) {
    case 'dataValues':
      // POST /api/dataValueSets with DHIS2's defaults, as the push sends it.
      return deps.data.importValues(body, {
        importStrategy: 'CREATE_AND_UPDATE',
        dryRun: false,
        idScheme: 'UID',
      });
    case 'completeDataSetRegistrations':
      return deps.data.importRegistrations(body, false);
    case 'events':
      // POST /api/events?strategy=SYNC.
      return deps.data.importEvents(body, { strategy: 'SYNC', dryRun: false });
  }
}

/**
 * Imports the bundle in `file` as `username` (who is audited with the local and its key). A
 * refusal (BUNDLE_REFUSED) comes before anything is imported.
 */
export async function importDataBundle(
  deps: DataBundleImportDeps,
  file: string,
  username: string,
  onPart?: (result: DataBundlePartResult, total: number) => void,
): Promise<DataBundleImportResult> {
  const manifest: DataBundleManifest = await verifyDataBundle(file, async (m) => {
    await deps.trust.check(m.source.systemId, m);
  });
  const parts: DataBundlePartResult[] = [];
  for await (const { part, body } of dataBundleBodies(file, manifest)) {
    const result = {
      kind: part.kind,
      count: part.count,
      importSummary: await importPart(deps, part.kind, body),
    };
    parts.push(result);
    onPart?.(result, manifest.parts.length);
  }
  const imported = (k: 'imported' | 'updated' | 'deleted' | 'ignored') =>
    parts.reduce(
      (n, p) =>
        n +
        ('importCount' in p.importSummary ? p.importSummary.importCount[k] : p.importSummary[k]),
      0,
    );
  await deps.audit.audit({
    action: IMPORT_DATA_BUNDLE,
    username,
    at: deps.now(),
    reason: '',
    details: {
      systemId: manifest.source.systemId,
      systemName: manifest.source.systemName,
      keyFingerprint: manifest.keyFingerprint,
      createdAt: manifest.createdAt,
      all: manifest.all,
      imported: imported('imported'),
      updated: imported('updated'),
      deleted: imported('deleted'),
      ignored: imported('ignored'),
    },
  });
  return { source: manifest.source, parts };
}
