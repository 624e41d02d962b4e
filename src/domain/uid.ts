/**
 * DHIS2 identifiers ("uids"): 11 characters, a letter first, then letters or digits
 * (DHIS2 CodeGenerator). Generation needs randomness, so it takes the random source as input.
 */
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ALPHANUMERIC = `0123456789${LETTERS}`;
export const UID_PATTERN = /^[a-zA-Z][a-zA-Z0-9]{10}$/;

export const isValidUid = (s: string): boolean => UID_PATTERN.test(s);

/** `randomInt(n)` must return a uniform integer in [0, n). */
export function generateUid(randomInt: (n: number) => number): string {
  let uid = LETTERS[randomInt(LETTERS.length)]!;
  for (let i = 1; i < 11; i++) uid += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]!;
  return uid;
}
