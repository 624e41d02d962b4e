/** PostgreSQL error classification, shared by the pg and PGlite backends (both carry `code`). */
export const isUniqueViolation = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && (e as { code?: unknown }).code === '23505';
