/**
 * Splits an import body into entries of known metadata types, in import order (issue 4 §2).
 * Keys that are not metadata types are ignored as DHIS2 does (`system`, `date`, `package`, …);
 * an unknown key holding an array of objects is reported, so a typo in a type name is visible,
 * and so is a DHIS2 type metasync does not store (opaque-types.ts, issue 16 §8).
 */
import { errors } from '../errors.ts';
import { UNSTORED_TYPES } from './opaque-types.ts';
import { metadataType, type MetadataType } from './types.ts';

export interface PayloadEntry {
  type: MetadataType;
  /** Position within its type's array, as DHIS2 reports `index`. */
  index: number;
  object: unknown;
}

/** A key whose objects were not imported, with its DHIS2 class when it is a DHIS2 type. */
export interface SkippedType {
  key: string;
  count: number;
  /** Set for DHIS2 metadata types metasync does not store; absent for unknown keys. */
  klass?: string;
}

export interface ParsedPayload {
  entries: PayloadEntry[];
  /** Array-of-object keys that are not stored metadata types, with their object counts. */
  unknownTypes: SkippedType[];
}

export function parsePayload(body: unknown): ParsedPayload {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw errors.badRequest(
      'The metadata payload must be a JSON object with one array per metadata type',
    );
  const entries: PayloadEntry[] = [];
  const unknownTypes: ParsedPayload['unknownTypes'] = [];
  for (const [key, value] of Object.entries(body)) {
    const type = metadataType(key);
    if (!type) {
      const klass = UNSTORED_TYPES.get(key);
      if (klass !== undefined && Array.isArray(value) && value.length > 0)
        unknownTypes.push({ key, count: value.length, klass });
      else if (
        Array.isArray(value) &&
        value.length > 0 &&
        value.every((v) => typeof v === 'object' && v !== null && 'id' in v)
      )
        unknownTypes.push({ key, count: value.length });
      continue;
    }
    if (!Array.isArray(value))
      throw errors.badRequest(`Property ${key} must be an array of objects`);
    value.forEach((object, index) => entries.push({ type, index, object }));
  }
  entries.sort((a, b) => a.type.order - b.type.order || a.index - b.index);
  return { entries, unknownTypes };
}
