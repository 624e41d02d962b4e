/**
 * Which versions a bundle carries (issue 20 §2): `from` to `to`, both included, in chain order.
 * Without `from` the chain's first version, without `to` the newest: the default bundle brings a
 * site from nothing to today.
 */
import { errors } from '../errors.ts';
import type { MetadataVersion } from '../versioning/version.ts';

export interface BundleRange {
  from?: string | undefined;
  to?: string | undefined;
}

export function selectBundleVersions(
  all: readonly MetadataVersion[],
  range: BundleRange,
): MetadataVersion[] {
  const chain = [...all].sort((a, b) => a.number - b.number);
  if (chain.length === 0)
    throw errors.notFound('No metadata versions exist. Please check again later.');
  const at = (name: string | undefined, fallback: number): number => {
    if (!name) return fallback;
    const i = chain.findIndex((v) => v.name === name);
    if (i < 0)
      throw errors.notFound(
        `No metadata version with name ${name} exists. Please check again later.`,
      );
    return i;
  };
  const from = at(range.from, 0);
  const to = at(range.to, chain.length - 1);
  if (from > to)
    throw errors.conflict(
      `A bundle runs from an older version to a newer one: ${chain[from]!.name} comes after ${chain[to]!.name}`,
    );
  return chain.slice(from, to + 1);
}
