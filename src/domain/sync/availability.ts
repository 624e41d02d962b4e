/**
 * The availability check before a run's calls to the central (issue 16 §11, contract §8), as
 * DHIS2's `SyncUtils.testServerAvailability`, minus the pings that cannot help.
 */
import { RemoteError, type CentralClient, type RemoteErrorKind } from './central-client.ts';

/**
 * Failures a repeated availability check can cure. A 401, a redirect or missing settings answer
 * the same again, and repeated 401s lock the sync user out on the central (issue 16 §6).
 */
const PING_AGAIN: ReadonlySet<RemoteErrorKind> = new Set([
  'UNREACHABLE',
  'HTTP',
  'NOT_FOUND',
  'PARSE',
]);

/**
 * DHIS2's `testServerAvailability` (contract §8): up to
 * `syncMaxRemoteServerAvailabilityCheckAttempts` pings,
 * `syncDelayBetweenRemoteServerAvailabilityCheckAttempts` ms apart. Returns how many it took.
 */
export async function checkAvailability(deps: {
  client: Pick<CentralClient, 'ping'>;
  settings: { value(key: string): Promise<unknown> };
  sleep: (ms: number) => Promise<void>;
}): Promise<number> {
  const setting = async (key: string, fallback: number) => {
    const n = Number(await deps.settings.value(key));
    return Number.isFinite(n) ? n : fallback;
  };
  const tries = Math.max(1, await setting('syncMaxRemoteServerAvailabilityCheckAttempts', 1));
  const delay = Math.max(
    0,
    await setting('syncDelayBetweenRemoteServerAvailabilityCheckAttempts', 0),
  );
  for (let n = 1; ; n++) {
    try {
      await deps.client.ping();
      return n;
    } catch (e) {
      if (!(e instanceof RemoteError)) throw e;
      if (PING_AGAIN.has(e.kind) && n < tries) {
        await deps.sleep(delay);
        continue;
      }
      const checks = n > 1 ? ` (after ${n} availability checks)` : '';
      throw new RemoteError(e.kind, `${e.message}${checks}`, e.status);
    }
  }
}
