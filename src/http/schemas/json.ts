/**
 * JSON values and documented open objects for the response schemas (issue 17 §5).
 *
 * Some payloads are open by nature: a DHIS2 metadata object's properties vary by type and by
 * release, and an import report or a data value carries whatever DHIS2 defines for it (see
 * ../shared/notes/dhis2-contract.md, §6 and §8, "clients must ignore unknown fields"). Those are
 * documented with their known fields and `additionalProperties` typed as JSON values, never as
 * an untyped record.
 *
 * At run time such a schema checks only that the value is an object and passes it through as
 * it is: its values come from this server's own JSON stores, and two things rule out more. A
 * deep zod check costs seconds per export (measured: 4 s for 20 MB, ten times the
 * JSON.stringify), and zod's object output puts known keys first and drops unknown ones, which
 * would change the bytes on the wire.
 */
import { z } from 'zod';

const REF = { $ref: '#/components/schemas/JsonValue' } as const;

/** Any JSON value (documented as the recursive `JsonValue` component; not checked deeply). */
export const jsonValue = z.unknown().meta({
  id: 'JsonValue',
  description: 'Any JSON value',
  nullable: true,
  anyOf: [
    { type: 'string' },
    { type: 'number' },
    { type: 'boolean' },
    { type: 'array', items: REF },
    { type: 'object', additionalProperties: REF },
  ],
});

/** A JSON value inside a documented shape (a reference to `JsonValue`). */
export const anyJson = z.unknown().meta(REF);

/** The type of a documented object: its known fields, the others JSON values. */
export type Documented<S extends z.ZodObject> = z.output<S> & Record<string, unknown>;

/**
 * An object documented by `shape` (its known fields, in the OpenAPI document; api-types.ts
 * gives its type as `Documented<shape>`) whose other properties are JSON values. At run time:
 * any object, as it is.
 */
export function documented(
  id: string | null,
  shape: z.ZodObject,
  description: string,
): z.ZodType<Record<string, unknown>> {
  const doc = z.toJSONSchema(shape, { target: 'openapi-3.0', io: 'output' }) as {
    properties?: unknown;
    required?: unknown;
  };
  return z.record(z.string(), jsonValue).meta({
    ...(id ? { id } : {}),
    description,
    type: 'object',
    properties: doc.properties,
    ...(doc.required ? { required: doc.required } : {}),
    additionalProperties: REF,
  }) as never;
}

/**
 * An array of the documented objects `id` names (a component), for the large lists (an export,
 * a page of data values): at run time passed through unchecked, as walking 50 000 objects cost
 * as much again as the JSON.stringify (measured: 200–500 ms for 20 MB).
 */
export const arrayOf = (id: string) =>
  z.unknown().meta({ type: 'array', items: { $ref: `#/components/schemas/${id}` } });

/** A response with no body (201, 204, 304): documented as such, with why. */
export const noBody = (description: string) => z.undefined().meta({ type: 'null', description });
