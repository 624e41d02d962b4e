/** Parameters of `POST /api/metadata` with DHIS2's defaults (contract §9.2). */
export const IMPORT_STRATEGIES = ['CREATE_AND_UPDATE', 'CREATE', 'UPDATE', 'DELETE'] as const;
export const ATOMIC_MODES = ['ALL', 'NONE'] as const;
export const IMPORT_MODES = ['COMMIT', 'VALIDATE'] as const;
export const IDENTIFIERS = ['UID', 'CODE', 'AUTO'] as const;

export interface ImportParams {
  importStrategy: (typeof IMPORT_STRATEGIES)[number];
  atomicMode: (typeof ATOMIC_MODES)[number];
  importMode: (typeof IMPORT_MODES)[number];
  identifier: (typeof IDENTIFIERS)[number];
  skipSharing: boolean;
}

export const DEFAULT_IMPORT_PARAMS: ImportParams = {
  importStrategy: 'CREATE_AND_UPDATE',
  atomicMode: 'ALL',
  importMode: 'COMMIT',
  identifier: 'UID',
  skipSharing: false,
};
