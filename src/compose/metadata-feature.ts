/**
 * Metadata (issue 4): the import use case, with the escalation rule inside its transaction, and
 * the reads the export and per-type routes answer from. Every import through the API is counted
 * in the metrics once it has written something.
 */
import type { Importer } from '../domain/auth/user-admin.ts';
import { importMetadata, type ImportDeps } from '../domain/metadata/import-metadata.ts';
import type { ImportParams } from '../domain/metadata/import-params.ts';
import type { ImportReport, ImportStats } from '../domain/metadata/import-report.ts';
import { importMetadataStreamed } from '../domain/metadata/import-streamed.ts';
import type { MetadataService } from '../services.ts';
import type { Ports } from './ports.ts';

export function metadataFeature(
  ports: Ports,
  countImport: (source: 'api', stats: ImportStats) => void,
) {
  const { metadata: store } = ports.stores;
  const importDeps: ImportDeps = {
    store,
    hasher: ports.hasher,
    clock: ports.clock,
    newUid: ports.newUid,
    isPasswordHash: ports.isPasswordHash,
  };
  /** The import as start-up and user administration use it: not counted as API traffic. */
  const importer: Importer = (body, params, actor) =>
    importMetadata(importDeps, body, params, actor);
  // Only what was written counts: not validations, not a rejected all-or-nothing import.
  const counted = (params: ImportParams, report: ImportReport) => {
    if (
      params.importMode === 'COMMIT' &&
      (params.atomicMode === 'NONE' || report.status !== 'ERROR')
    )
      countImport('api', report.stats);
    return report;
  };
  const service: MetadataService = {
    import: async (body, params, actor) => counted(params, await importer(body, params, actor)),
    importStreamed: async (members, params, actor) =>
      counted(params, await importMetadataStreamed(importDeps, members, params, actor)),
    get: (type, id) => store.get(type, id),
    list: (type) => store.list(type),
    listSince: (type, since, ids) => store.listSince(type, since, ids),
    referencing: (id) => store.referencing(id),
    changeSeq: () => store.changeSeq(),
  };
  return { importDeps, importer, service };
}
