/**
 * The server→client half of the fault proxy's `link` fault (issue 19 §7): a poor field link.
 * The answer is paced to a rate by real socket writes spaced in time (the client reads the bytes
 * as slowly as a satellite or 3G link would deliver them, and the server behind is held back by
 * TCP flow control, as it would be), and the connection can break off (RST, both sides) or fall
 * silent after a number of bytes. The proxy forces one request per connection, so every request
 * (e.g. each resumed `Range` request) starts with a fresh budget.
 */
import type net from 'node:net';

export interface LinkShape {
  /** The rate of the answer, in bytes per second; unlimited when absent. */
  bytesPerSecond?: number;
  /** After this many answer bytes (head included), the connection is reset (RST) both sides. */
  resetAfter?: number;
  /** After this many answer bytes, nothing more goes through; the connection stays open, mute. */
  stallAfter?: number;
}

/** Pacing granularity: a write every 50 ms at most, so the rate is smooth at any scale. */
const TICKS_PER_SECOND = 20;
/** Answer bytes held in the proxy before it stops reading the server (flow control). */
const HIGH_WATER = 64 * 1024;
/**
 * Between the last write and the reset: a RST drops what is still in the sender's kernel buffer,
 * and the bytes counted as forwarded must be bytes the client could read.
 */
const SETTLE_MS = 20;

/**
 * Forwards `upstream`'s bytes to `client` shaped by `shape`; returns the handlers for upstream's
 * data and end. `forwarded(n)` is called for every byte count actually written to the client.
 */
export function shapeLink(
  client: net.Socket,
  upstream: net.Socket,
  shape: LinkShape,
  forwarded: (n: number) => void,
): { data(chunk: Buffer): void; end(): void } {
  const rate = shape.bytesPerSecond ?? Infinity;
  const slice = Number.isFinite(rate) ? Math.max(1, Math.ceil(rate / TICKS_PER_SECOND)) : Infinity;
  const cutAt = Math.min(shape.resetAfter ?? Infinity, shape.stallAfter ?? Infinity);
  const cut: 'reset' | 'stall' =
    (shape.resetAfter ?? Infinity) <= (shape.stallAfter ?? Infinity) ? 'reset' : 'stall';
  const queue: Buffer[] = [];
  let queued = 0;
  let sent = 0;
  let upstreamEnded = false;
  let state: 'flowing' | 'waiting' | 'done' = 'flowing';
  /** When the link is free again: each write books `n / rate` seconds of it. */
  let freeAt = 0;

  const breakOff = () => {
    state = 'done';
    queue.length = 0;
    queued = 0;
    if (cut === 'stall') {
      // A hung link: the server is no longer read, the client hears nothing, nobody is closed.
      upstream.pause();
      return;
    }
    setTimeout(() => {
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    }, SETTLE_MS);
  };

  const pump = () => {
    if (state !== 'flowing') return;
    while (queue.length > 0) {
      const now = performance.now();
      if (now < freeAt) {
        state = 'waiting';
        setTimeout(() => {
          state = 'flowing';
          pump();
        }, freeAt - now);
        return;
      }
      const head = queue[0]!;
      const n = Math.min(head.length, slice, cutAt - sent);
      const piece = head.subarray(0, n);
      if (n === head.length) queue.shift();
      else queue[0] = head.subarray(n);
      queued -= n;
      sent += n;
      if (Number.isFinite(rate)) freeAt = Math.max(freeAt, now) + (n / rate) * 1000;
      forwarded(n);
      const flushed = client.write(piece);
      if (sent >= cutAt) return breakOff();
      if (queued < HIGH_WATER / 2) upstream.resume();
      if (!flushed) {
        // The client's socket buffer is full: go on once it drained, as a link would.
        state = 'waiting';
        client.once('drain', () => {
          state = 'flowing';
          pump();
        });
        return;
      }
    }
    if (upstreamEnded) client.end();
  };

  // The client gave up (or was reset): nothing more to pace.
  client.once('close', () => (state = 'done'));
  // A client that leaves a hung link (its FIN; the proxy allows half-open sockets): let go of both.
  client.once('end', () => {
    if (state !== 'done' || cut !== 'stall') return;
    client.destroy();
    upstream.destroy();
  });

  return {
    data(chunk) {
      if (state === 'done') return;
      queue.push(chunk);
      queued += chunk.length;
      if (queued > HIGH_WATER) upstream.pause();
      pump();
    },
    end() {
      upstreamEnded = true;
      if (state === 'flowing' && queue.length === 0) client.end();
    },
  };
}
