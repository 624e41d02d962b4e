/** Batches for multi-row statements: PostgreSQL takes at most 65,535 parameters per statement. */
export const CHUNK = 5000;

/** `items` in consecutive slices of at most `size`. */
export const chunks = <T>(items: readonly T[], size = CHUNK): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};
