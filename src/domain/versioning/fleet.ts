/**
 * The central's view of its locals (issue 13): each local that read the history, with the
 * version it reported (its `baseline`) and how many versions it is behind. A baseline this
 * central does not know (a local of another chain) is "behind by" unknown, not a number.
 */
import type { FleetEntry } from '../ports.ts';
import type { MetadataVersion } from './version.ts';

export interface FleetLocal {
  id: string;
  systemId: string | null;
  name: string;
  user: string;
  address: string;
  version: string | null;
  lastSeen: string;
  behindBy: number | null;
  latest: string | null;
}

export function fleetView(
  versions: readonly MetadataVersion[],
  entries: readonly FleetEntry[],
): FleetLocal[] {
  const latest = versions[versions.length - 1]?.name ?? null;
  return entries.map((f) => {
    const at = f.baseline ? versions.findIndex((v) => v.name === f.baseline) : -1;
    return {
      id: f.key,
      systemId: f.systemId,
      name: f.name ?? f.username,
      user: f.username,
      address: f.address,
      version: f.baseline,
      lastSeen: f.lastSeen.toISOString(),
      behindBy: f.baseline && at < 0 ? null : versions.length - (at + 1),
      latest,
    };
  });
}
