/**
 * DHIS2's "default" category model under its fixed ids, created on a new instance (issue 4 §5),
 * so that objects without a category combo can point at the default one, exactly as on DHIS2.
 */
import { DEFAULT_IMPORT_PARAMS } from './import-params.ts';
import type { ImportActor } from './import-metadata.ts';
import type { ImportReport } from './import-report.ts';
import type { ImportParams } from './import-params.ts';
import { DEFAULTS } from './types.ts';

const base = { name: 'default', code: 'default', shortName: 'default' };

export const DEFAULT_CATEGORY_MODEL = {
  categoryOptions: [{ id: DEFAULTS.categoryOption, ...base }],
  categories: [
    {
      id: DEFAULTS.category,
      ...base,
      dataDimensionType: 'DISAGGREGATION',
      dataDimension: false,
      categoryOptions: [{ id: DEFAULTS.categoryOption }],
    },
  ],
  categoryCombos: [
    {
      id: DEFAULTS.categoryCombo,
      name: 'default',
      code: 'default',
      dataDimensionType: 'DISAGGREGATION',
      skipTotal: false,
      categories: [{ id: DEFAULTS.category }],
    },
  ],
  categoryOptionCombos: [
    {
      id: DEFAULTS.categoryOptionCombo,
      name: 'default',
      code: 'default',
      ignoreApproval: false,
      categoryCombo: { id: DEFAULTS.categoryCombo },
      categoryOptions: [{ id: DEFAULTS.categoryOption }],
    },
  ],
};

/** Imports the default category model unless it exists; a concurrent start doing the same is fine. */
export async function ensureDefaults(
  exists: () => Promise<boolean>,
  importMetadata: (
    body: unknown,
    params: ImportParams,
    actor: ImportActor,
  ) => Promise<ImportReport>,
  actor: ImportActor,
): Promise<{ created: boolean }> {
  if (await exists()) return { created: false };
  const report = await importMetadata(
    DEFAULT_CATEGORY_MODEL,
    { ...DEFAULT_IMPORT_PARAMS, importStrategy: 'CREATE' },
    actor,
  );
  if (report.status === 'OK') return { created: true };
  if (await exists()) return { created: false };
  throw new Error(`Could not create the default category model (status ${report.status})`);
}
