/**
 * Retries an assertion until it passes or `withinMs` runs out. For changes another process is
 * allowed to see a little later (settings: within a second, issue 3 §5).
 */
export async function eventually<T>(
  check: () => Promise<T>,
  withinMs = 1500,
  stepMs = 50,
): Promise<T> {
  const deadline = performance.now() + withinMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (performance.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, stepMs));
    }
  }
}
