/**
 * Rows for the MetadataStore conformance suites (./metadata-store-conformance.ts,
 * ./metadata-writer-conformance.ts): planned writes and deletes as the import hands them over.
 */
import type { PlannedDelete, PlannedWrite } from '../../src/domain/metadata/plan-import.ts';
import { metadataType } from '../../src/domain/metadata/types.ts';

export const T = '2024-05-01T10:00:00.000Z';
export const meta = {
  actorId: 'M5zQapPyTZI',
  now: new Date(T),
  passwordHashes: new Map<string, string>(),
};

export const type = (key: string) => {
  const t = metadataType(key);
  if (!t) throw new Error(`no metadata type ${key}`);
  return t;
};

export function write(
  key: string,
  id: string,
  over: Partial<Omit<PlannedWrite, 'type'>> = {},
): PlannedWrite {
  const name = over.name === undefined ? `conf ${id}` : over.name;
  return {
    op: 'create',
    type: type(key),
    id,
    code: null,
    name,
    scope: '',
    created: T,
    lastUpdated: T,
    createdBy: 'M5zQapPyTZI',
    contentHash: `hash-${id}`,
    refs: [],
    password: null,
    ...over,
    payload: { id, ...(name === null ? {} : { name }), ...over.payload },
  };
}

export const del = (key: string, id: string, code: string | null = null): PlannedDelete => ({
  type: type(key),
  id,
  code,
});

export const noKeys = () => ({
  ids: new Set<string>(),
  codes: [],
  names: [],
  uniques: [],
  refs: new Set<string>(),
});
