/**
 * Polls `probe` every `intervalMs` until it gives something truthy, and returns that; fails
 * with `what` after `timeoutMs`. Tests wait for what they need this way rather than sleeping for
 * a time that a slow machine may not keep.
 */
export async function waitUntil<T>(
  probe: () => T | Promise<T>,
  {
    timeoutMs,
    intervalMs = 50,
    what,
  }: { timeoutMs: number; intervalMs?: number; what: () => string },
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`${what()}: not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * `expect.poll` options for a key or tenant change to reach a server. The database's
 * notification arrives a few milliseconds after the commit, so a request sent at once may still
 * be served as before. Two seconds is far inside the minute a server keeps a caller, so a
 * notification that never arrives still fails the test.
 */
export const UNTIL_KEY_CHANGE_HEARD = { timeout: 2_000, interval: 20 };
