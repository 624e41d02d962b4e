/**
 * The central's view of its locals (issue 13): each local that read the history, with the
 * version it reported (its `baseline`) and how many versions it is behind. A baseline this
 * central does not know (a local of another chain) is "behind by" unknown, not a number.
 *
 * Issue 21 §4: a relay reports the locals below it; those entries carry `via` (the relay that
 * reported them) and `relay` (the server they hang under, the relay itself or one further
 * down). `behindBy` is counted against this server's own versions for every entry alike: the
 * tree serves one chain.
 */
import type { FleetEntry, SyncRunState } from '../ports.ts';
import type { CanaryOutcome } from '../rollout/release-plan.ts';
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
  /** The state of the local's last finished run, as it told us (metasync locals only). */
  state: SyncRunState | null;
  /** The server it hangs under; null for a local that polls this server itself. */
  relay: { systemId: string; name: string | null } | null;
  /**
   * The newest version outcome it reported (issue 22 §3; metasync locals polling this server),
   * or null: none, or a DHIS2 local, which reports none.
   */
  lastOutcome: {
    version: string;
    status: 'SUCCESS' | 'FAILED';
    failureKind: string | null;
    message: string | null;
    at: string;
  } | null;
}

/** Each local's newest outcome for a version this server still holds, by its fleet key. */
function lastOutcomes(
  versions: readonly MetadataVersion[],
  outcomes: readonly CanaryOutcome[],
): Map<string, FleetLocal['lastOutcome']> {
  const names = new Map(versions.map((v) => [v.id, v.name]));
  const out = new Map<string, FleetLocal['lastOutcome'] & object>();
  for (const o of outcomes) {
    const version = names.get(o.versionId);
    if (!version) continue;
    // The fleet's own keys: `system:<id>` for a metasync local that sent one, else by user.
    const key = o.systemId ? `system:${o.systemId}` : `user:${o.username}`;
    const seen = out.get(key);
    if (!seen || seen.at <= o.at.toISOString())
      out.set(key, {
        version,
        status: o.status,
        failureKind: o.failureKind,
        message: o.message,
        at: o.at.toISOString(),
      });
  }
  return out;
}

/** `all`: every local in the tree; 1: only the locals that poll this server (the default). */
export type FleetDepth = 1 | 'all';

export function fleetView(
  versions: readonly MetadataVersion[],
  entries: readonly FleetEntry[],
  depth: FleetDepth = 1,
  outcomes: readonly CanaryOutcome[] = [],
): FleetLocal[] {
  const reported = lastOutcomes(versions, outcomes);
  const latest = versions[versions.length - 1]?.name ?? null;
  // A relay's name as the tree knows it: its own entry (a direct one first, it is the freshest).
  const names = new Map<string, string | null>();
  for (const f of entries)
    if (f.systemId && (!names.has(f.systemId) || f.via === null))
      names.set(f.systemId, f.name ?? f.username);
  return entries
    .filter((f) => depth === 'all' || f.via === null)
    .map((f) => {
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
        state: f.state,
        relay: f.relay ? { systemId: f.relay, name: names.get(f.relay) ?? null } : null,
        // Only a local polling this server reports here; one below a relay reports to it.
        lastOutcome:
          (f.via === null &&
            reported.get(f.systemId ? `system:${f.systemId}` : `user:${f.username}`)) ||
          null,
      };
    });
}

/** A relay's downstream at a glance (issue 21 §5), over its whole tree. */
export interface DownstreamCounts {
  locals: number;
  /** Behind this server's newest version. */
  behind: number;
  /** Their last run failed. */
  failing: number;
  /** Their last run diverged, or they report a version this server does not know. */
  diverged: number;
}

export function downstreamCounts(tree: readonly FleetLocal[]): DownstreamCounts {
  return {
    locals: tree.length,
    behind: tree.filter((l) => l.behindBy !== null && l.behindBy > 0).length,
    failing: tree.filter((l) => l.state === 'FAILED').length,
    diverged: tree.filter((l) => l.state === 'DIVERGED' || l.behindBy === null).length,
  };
}
