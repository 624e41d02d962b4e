/**
 * This process's view of which sync runs are alive (the lease's `isLive`, sync-ports.ts): a run
 * of this process is alive while it is active here; a holder process on this host is dead once
 * its pid no longer exists; of another host nothing is known, so the lease's expiry decides.
 */
import { hostname } from 'node:os';
import type { LeaseState } from '../domain/sync/sync-ports.ts';

/** Runs started by this process and not yet finished. */
export const activeRuns = new Set<string>();

/** The lease holder name of this process. */
export const thisHolder = () => `${hostname()}:${process.pid}`;

/** Whether a lease holder (`host:pid`) is alive, when this process can tell; null otherwise. */
export function holderAlive({ holder, reportId }: LeaseState): boolean | null {
  const [host, pidText] = holder.split(':');
  if (host !== hostname()) return null;
  const pid = Number(pidText);
  if (pid === process.pid) return activeRuns.has(reportId);
  try {
    process.kill(pid, 0); // signal 0: existence check only
    return null; // alive, but its run's state is not known here: trust the expiry
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? null : false;
  }
}
