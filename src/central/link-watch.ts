/**
 * Remote calls fail on silence, not on slowness (issue 19 §3). A total time limit cut a slow but
 * steady download over a poor link, and let a silent link hold a run for the whole limit; a call
 * now fails once no byte has moved for `inactivityMs` (DHIS2's own client: a 10 s socket read
 * timeout), with `overallMs` as a generous outer bound. Each call gets its own watch: `alive()`
 * on every byte that moves, `done()` when the call has ended.
 */
export interface LinkLimits {
  /** No byte for this long fails the call. */
  inactivityMs: number;
  /** The call may take at most this long in all, however steadily bytes arrive. */
  overallMs: number;
}

/** Why a watched call was aborted; its message is what the run's report shows. */
export class LinkTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LinkTimeoutError';
  }
}

const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

export class LinkWatch {
  private readonly controller = new AbortController();
  private idle: NodeJS.Timeout | undefined;
  private readonly overall: NodeJS.Timeout;
  private ended = false;

  constructor(private readonly limits: LinkLimits) {
    this.overall = setTimeout(
      () => this.abort(`the call took longer than ${seconds(limits.overallMs)} in all`),
      limits.overallMs,
    );
    this.alive();
  }

  /** Aborts the call when a limit is passed; pass it to `fetch`. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** A byte moved: the inactivity clock starts again. */
  alive(): void {
    if (this.ended) return;
    clearTimeout(this.idle);
    this.idle = setTimeout(
      () => this.abort(`no byte received for ${seconds(this.limits.inactivityMs)}`),
      this.limits.inactivityMs,
    );
  }

  /** The call ended (answered, failed or given up): both clocks stop. */
  done(): void {
    this.ended = true;
    clearTimeout(this.idle);
    clearTimeout(this.overall);
  }

  /** The call is given up by its caller: the request and its body stop now. */
  giveUp(): void {
    this.done();
    if (!this.controller.signal.aborted) this.controller.abort(new Error('the call was given up'));
  }

  /** True when a limit aborted the call (silence or the overall bound), not its caller. */
  get timedOut(): boolean {
    return this.controller.signal.reason instanceof LinkTimeoutError;
  }

  private abort(why: string): void {
    this.done();
    this.controller.abort(new LinkTimeoutError(why));
  }
}

/** `body` as it arrives, each chunk keeping `watch` alive; the watch ends with the body. */
export async function* watched(
  body: AsyncIterable<Uint8Array>,
  watch: LinkWatch,
): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of body) {
      watch.alive();
      yield chunk;
    }
  } finally {
    watch.done();
  }
}
