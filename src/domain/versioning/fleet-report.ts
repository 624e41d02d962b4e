/**
 * The fleet reported upward (issue 21 §4). A metasync local tells its central how its last
 * finished run ended (a header on the history call); a relay, after each run, sends its whole
 * downstream (its direct locals and all its own relays reported) to its upstream, which replaces
 * whatever that relay reported before. Entries are keyed per reporting relay, so a local that
 * drops out of a report drops out of the tree.
 */
import type { FleetEntry, SyncRunState } from '../ports.ts';
import type { FleetLocal } from './fleet.ts';
import type { SyncReport } from '../sync/sync-report.ts';

/** The most entries one report carries: a national tree of a few thousand locals fits easily. */
export const MAX_REPORTED = 10_000;

/**
 * One local as a relay reports it (`POST /api/metasync/fleet/downstream`): its fleet view's
 * fields, with `relay` the system id of the server it hangs under.
 */
export type ReportedLocal = Pick<
  FleetLocal,
  'systemId' | 'name' | 'user' | 'address' | 'version' | 'lastSeen' | 'state'
> & { relay: string };

/** How the last finished run ended; null when none has (or it is still running). */
export function runState(last: Pick<SyncReport, 'status' | 'error'> | null): SyncRunState | null {
  if (!last || last.status === 'RUNNING') return null;
  if (last.status === 'SUCCESS') return 'SUCCESS';
  return last.error?.kind === 'DIVERGED' ? 'DIVERGED' : 'FAILED';
}

/** What a relay (system id `self`) reports upward: every entry it holds, the newest first. */
export function downstreamReport(self: string, entries: readonly FleetEntry[]): ReportedLocal[] {
  return [...entries]
    .sort((a, b) => b.lastSeen.getTime() - a.lastSeen.getTime())
    .slice(0, MAX_REPORTED)
    .map((e) => ({
      systemId: e.systemId,
      name: e.name ?? e.username,
      user: e.username,
      address: e.address,
      version: e.baseline,
      lastSeen: e.lastSeen.toISOString(),
      state: e.state,
      relay: e.relay ?? self,
    }));
}

/**
 * The entries a report from relay `via` becomes on the server `self`. One per local (the newest
 * when a report names one twice); an entry naming the receiver or the reporter itself is a loop
 * (a tree wired in a circle) and is dropped, as the receiver knows both first hand.
 */
export function reportedEntries(
  self: string,
  via: string,
  locals: readonly ReportedLocal[],
): FleetEntry[] {
  const byKey = new Map<string, FleetEntry>();
  for (const l of locals) {
    if (l.systemId === self || l.systemId === via) continue;
    const key = `via:${via}:${l.systemId ? `system:${l.systemId}` : `user:${l.user}@${l.address}`}`;
    const lastSeen = new Date(l.lastSeen);
    const known = byKey.get(key);
    if (known && known.lastSeen.getTime() >= lastSeen.getTime()) continue;
    byKey.set(key, {
      key,
      systemId: l.systemId,
      name: l.name,
      username: l.user,
      address: l.address,
      baseline: l.version,
      lastSeen,
      state: l.state,
      via,
      relay: l.relay,
    });
  }
  return [...byKey.values()];
}
