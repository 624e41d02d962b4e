/**
 * Where an offline bundle meets the local's chain (issue 20 §3): which of its versions the local
 * already holds (skipped when the hash is the same, DIVERGED when it is not, as online), and
 * whether the rest continues from the local's current version. A bundle that starts after the
 * local's next version is refused before anything is imported, naming the versions it lacks.
 */
import type { BundleVersionEntry } from './manifest.ts';

/** The local's version of a name, as far as the chain check needs it. */
export interface HeldVersion {
  name: string;
  hashCode: string;
}

const numberOf = (name: string): number => Number(name.slice('Version_'.length));
const nameOf = (n: number): string => `Version_${n}`;

/** The names from `from` to `to`, both included; a long stretch is shortened in the middle. */
export function versionSpan(from: number, to: number): string[] {
  if (to < from) return [];
  if (to - from < 10) return Array.from({ length: to - from + 1 }, (_, i) => nameOf(from + i));
  return [nameOf(from), nameOf(from + 1), '…', nameOf(to - 1), nameOf(to)];
}

export type ChainVerdict =
  /** `apply`: the entries after the local's current version, in order (empty: nothing new). */
  { ok: true; apply: BundleVersionEntry[] } | { ok: false; missing: string[]; message: string };

/**
 * Whether the bundle's versions continue the local's chain: its first version the local does not
 * hold must be the local's next one. `current` is the local's newest version (null: none yet).
 */
export function continuation(
  entries: readonly BundleVersionEntry[],
  current: HeldVersion | null,
): ChainVerdict {
  const at = current ? numberOf(current.name) : 0;
  const apply = entries.filter((e) => numberOf(e.name) > at);
  const first = apply[0];
  if (!first || numberOf(first.name) === at + 1) return { ok: true, apply };
  const missing = versionSpan(at + 1, numberOf(first.name) - 1);
  const here = current
    ? `this instance is at ${current.name}`
    : 'this instance has no metadata version yet';
  return {
    ok: false,
    missing,
    message: `The bundle starts at ${first.name}, but ${here}: it lacks ${missing.join(', ')}. Carry a bundle that starts at ${nameOf(at + 1)} (metasync bundle export --from ${nameOf(at + 1)})`,
  };
}

/**
 * The first version the bundle and the local both name with different hashes, as the run's
 * DIVERGED message; null when they agree on every version both hold. `heldOf` reads the local's
 * version of a name (null when it has none).
 */
export async function divergence(
  entries: readonly BundleVersionEntry[],
  current: HeldVersion,
  heldOf: (name: string) => Promise<HeldVersion | null>,
): Promise<{ version: string; message: string } | null> {
  const check = (entry: { name: string; hashCode: string }, mine: HeldVersion) =>
    mine.hashCode === entry.hashCode
      ? null
      : {
          version: entry.name,
          message: `${entry.name} differs: hashCode ${mine.hashCode} here, ${entry.hashCode} in the bundle. Use "metasync sync rebaseline" to continue from a central version, or carry a bundle from this instance's own central`,
        };
  for (const entry of entries) {
    if (numberOf(entry.name) > numberOf(current.name)) {
      // The local's current version is the bundle's first new version's parent: the hash the
      // central had for it is that entry's parentHashCode (the manifest's chain, signed).
      if (numberOf(entry.name) === numberOf(current.name) + 1 && entry.parentHashCode !== null)
        return check({ name: current.name, hashCode: entry.parentHashCode }, current);
      return null;
    }
    const mine = entry.name === current.name ? current : await heldOf(entry.name);
    const diverged = mine ? check(entry, mine) : null;
    if (diverged) return diverged;
  }
  return null;
}
