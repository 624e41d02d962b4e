/**
 * A call's body read as fast as it arrives (issue 19 §2). When a link breaks, fetch errors the
 * body's ReadableStream, and an errored stream discards the chunks it had queued: a consumer
 * slower than the link (inflating, hashing, appending to the partial) then loses bytes that had
 * already crossed the link, and the range request that continues the download fetches them again
 * (on PostgreSQL, whose appends are the slowest, a break kept nothing at all). Here a pump moves
 * each chunk into our own queue the moment it arrives, so a break loses only what was still in
 * flight. The queue is bounded (issue 18: memory does not grow with the version): past `max`
 * bytes the pump waits for the consumer, and what waits in the socket is at risk again.
 */
import type { CentralCall } from './central-call.ts';

/** The most a download holds ahead of its consumer. */
export const EAGER_MAX = 8 * 1024 * 1024;

/**
 * The pump starts now, not at the first read: between the answer's head and the first read the
 * local writes to its database (a new partial), and a short answer that broke off in that time
 * would otherwise lose every byte it brought.
 */
export function eager(call: CentralCall, max: number = EAGER_MAX): AsyncGenerator<Uint8Array> {
  const queue: Uint8Array[] = [];
  let queued = 0;
  let ended = false;
  let stopped = false;
  // Set by the pump (TypeScript cannot see that across the await, hence the holder object).
  const failure: { error?: unknown; failed: boolean } = { failed: false };
  let wake: (() => void) | null = null;
  let room: (() => void) | null = null;
  const wakeConsumer = () => {
    wake?.();
    wake = null;
  };
  const wakePump = () => {
    room?.();
    room = null;
  };
  const pump = (async () => {
    try {
      for await (const chunk of call.body()) {
        queue.push(chunk);
        queued += chunk.length;
        wakeConsumer();
        while (queued >= max && !stopped) await new Promise<void>((r) => (room = r));
        if (stopped) break;
      }
    } catch (e) {
      failure.error = e;
      failure.failed = true;
    } finally {
      ended = true;
      wakeConsumer();
    }
  })();
  return (async function* () {
    try {
      for (;;) {
        const chunk = queue.shift();
        if (chunk) {
          queued -= chunk.length;
          if (queued < max) wakePump();
          yield chunk;
          continue;
        }
        if (ended) {
          if (failure.failed) throw failure.error;
          return;
        }
        await new Promise<void>((r) => (wake = r));
      }
    } finally {
      if (!ended) {
        // Left early (a bad snapshot, a cap): the request stops now, not at the next chunk.
        stopped = true;
        wakePump();
        await call.cancel();
      }
      await pump;
    }
  })();
}
