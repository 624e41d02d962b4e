/**
 * The errors the fakes throw where a database constraint would refuse a write: the same `code`
 * the pg and PGlite drivers give, so adapters' `isUniqueViolation` reads them alike.
 */
export const uniqueViolation = (what: string): Error =>
  Object.assign(new Error(`duplicate key value violates unique constraint (${what})`), {
    code: '23505',
  });

export const foreignKeyViolation = (what: string): Error =>
  Object.assign(new Error(`insert or update violates foreign key constraint (${what})`), {
    code: '23503',
  });

/** jsonb and text columns refuse U+0000: a fake refuses it too, so atomicity tests hold. */
export function refuseNul(value: unknown): void {
  if (JSON.stringify(value)?.includes('\\u0000'))
    throw Object.assign(new Error('unsupported Unicode escape sequence \\u0000'), {
      code: '22P05',
    });
}

/** A deep copy that keeps Dates (the fakes hand out copies, as a database does). */
export const clone = <T>(v: T): T => structuredClone(v);
