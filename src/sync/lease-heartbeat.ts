/**
 * The heartbeat of a running sync's lease (issue 17 §2): renews it every third of its life and
 * at each safe point of the run. Once a renewal finds the lease gone (taken over by another
 * process after it lapsed, or released by a shutdown), `checkpoint` answers why,
 * and the run stops there instead of going on unnoticed.
 */
import type { SyncLease } from '../domain/sync/sync-ports.ts';

export function startLeaseHeartbeat(
  lease: Pick<SyncLease, 'renew'>,
  reportId: string,
  leaseMs: number,
  now: () => Date,
) {
  let lost: string | null = null;
  const renew = async () => {
    if (lost) return;
    const held = await lease.renew(reportId, leaseMs).catch(() => null);
    // null: the database did not answer; the run finds out by itself if it is gone.
    if (held === false)
      lost = `This run lost the sync lease (taken over by another run or released, seen at ${now().toISOString()}) and stopped so that no two runs overlap; the next run continues from here`;
  };
  const timer = setInterval(() => void renew(), leaseMs / 3);
  timer.unref();
  return {
    /** Renews now; the reason to stop, or null to go on. */
    async checkpoint(): Promise<string | null> {
      await renew();
      return lost;
    },
    stop: () => clearInterval(timer),
  };
}
