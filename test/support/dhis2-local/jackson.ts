/**
 * The Jackson rules of DHIS2's shared mapper (`JacksonObjectMapperConfig.configureMapper`, same
 * in 2.39–2.43) that decide whether a local can read its central's JSON (issue 16 §12):
 * FAIL_ON_UNKNOWN_PROPERTIES off (unknown and differently cased names are ignored); strings go
 * through `EmptyStringToNullStdDeserializer` ("" → null, other scalars as their text); enums take
 * exactly a constant's name or an integer ordinal, anything else fails (no
 * READ_UNKNOWN_ENUM_VALUES_AS_NULL); dates follow `dates.ts`; ints take integers, truncated
 * floats, numeric strings and null (0). Messages follow Jackson's first line, without the source
 * location.
 */
import { parseJsonDate } from './dates.ts';
import { JacksonError } from './java-errors.ts';
import type { Release } from './releases.ts';

export type Json = Record<string, unknown>;

const kind = (v: unknown) =>
  Array.isArray(v)
    ? 'Array'
    : typeof v === 'object'
      ? 'Object'
      : typeof v === 'boolean'
        ? 'Boolean'
        : 'Floating-point';

export function jString(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v === '' ? null : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new JacksonError(
    `Cannot deserialize value of type \`java.lang.String\` from ${kind(v)} value`,
  );
}

export function jInt(v: unknown): number {
  if (v === null || v === undefined || v === '') return 0;
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'string' && /^[+-]?\d+$/.test(v.trim())) return Number(v);
  throw new JacksonError(
    typeof v === 'string'
      ? `Cannot deserialize value of type \`int\` from String "${v}": not a valid \`int\` value`
      : `Cannot deserialize value of type \`int\` from ${kind(v)} value`,
  );
}

/** An enum constant: `names` is the ordered constants, or a set when only membership matters. */
export function jEnum<T extends string>(
  v: unknown,
  javaType: string,
  names: readonly T[] | ReadonlySet<string>,
): T | null {
  if (v === null || v === undefined) return null;
  const list = Array.isArray(names) ? names : null;
  const known = (s: string) =>
    list ? list.includes(s as T) : (names as ReadonlySet<string>).has(s);
  if (typeof v === 'string') {
    if (known(v)) return v as T;
    if (v === '')
      throw new JacksonError(`Cannot coerce empty String ("") to \`${javaType}\` value`);
    throw new JacksonError(
      `Cannot deserialize value of type \`${javaType}\` from String "${v}": not one of the values accepted for Enum class: [${list ? list.join(', ') : '…'}]`,
    );
  }
  if (typeof v === 'number' && Number.isInteger(v) && list) {
    if (v >= 0 && v < list.length) return list[v]!;
    throw new JacksonError(
      `Cannot deserialize value of type \`${javaType}\` from number ${v}: index value outside legal index range [0..${list.length - 1}]`,
    );
  }
  throw new JacksonError(`Cannot deserialize value of type \`${javaType}\` from ${kind(v)} value`);
}

export function jObject(v: unknown, javaType: string): Json | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'object' && !Array.isArray(v)) return v as Json;
  throw new JacksonError(
    `Cannot deserialize value of type \`${javaType}\` from ${typeof v === 'string' ? `String value ("${v}")` : `${kind(v)} value`}`,
  );
}

export function jList(v: unknown, javaType: string): unknown[] | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v;
  throw new JacksonError(
    `Cannot deserialize value of type \`java.util.List<${javaType}>\` from ${typeof v === 'string' ? 'String' : kind(v)} value`,
  );
}

export const VERSION_TYPES = ['BEST_EFFORT', 'ATOMIC'] as const;
export type VersionType = (typeof VERSION_TYPES)[number];

/** The fields of DHIS2's `MetadataVersion` the sync uses (an entity or a history item). */
export interface MetadataVersion {
  id: string | null;
  name: string | null;
  code: string | null;
  type: VersionType | null;
  hashCode: string | null;
  created: Date | null;
  lastUpdated: Date | null;
  importDate: Date | null;
}

/** Binds one JSON object to `MetadataVersion`, as `renderService` does. */
export function bindMetadataVersion(v: unknown, rel: Release): MetadataVersion {
  const o = jObject(v, 'org.hisp.dhis.metadata.version.MetadataVersion');
  if (!o) throw new JacksonError('null MetadataVersion');
  return {
    id: jString(o.id),
    name: jString(o.name),
    code: jString(o.code),
    type: jEnum(o.type, 'org.hisp.dhis.metadata.version.VersionType', VERSION_TYPES),
    hashCode: jString(o.hashCode),
    created: parseJsonDate(o.created, rel),
    lastUpdated: parseJsonDate(o.lastUpdated, rel),
    importDate: parseJsonDate(o.importDate, rel),
  };
}

/**
 * `DefaultRenderService.fromMetadataVersion`: the tree's `metadataversions` member, when it is
 * an array, bound as a list; any other shape is an empty list. Null items stay null (DHIS2 fails
 * on them later).
 */
export function bindHistory(text: string, rel: Release): (MetadataVersion | null)[] {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw new JacksonError(`Unexpected character: ${(e as Error).message}`);
  }
  if (typeof root !== 'object' || root === null || Array.isArray(root)) return [];
  const list = (root as Json).metadataversions;
  if (!Array.isArray(list)) return [];
  return list.map((item) => (item === null ? null : bindMetadataVersion(item, rel)));
}
