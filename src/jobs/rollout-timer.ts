/**
 * The automatic release's clock (issue 22 §4): every `everyMs` the central lets go the CANARY
 * versions every ring member reached long enough ago. A check that fails (the database away for
 * a moment) is logged and the next one tries again; checks never overlap.
 */
export function startRolloutTimer(
  autoRelease: () => Promise<string[]>,
  everyMs: number,
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void },
): () => Promise<void> {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = autoRelease()
      .then((released) => {
        if (released.length > 0) log.info({ released }, 'automatic release');
      })
      .catch((err: unknown) => log.warn({ err }, 'automatic release check failed'))
      .finally(() => (running = null));
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
