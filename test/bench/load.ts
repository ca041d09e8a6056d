/** What one load run measured: latencies in ms, from when each operation was sent (or due). */
export interface LoadResult {
  operations: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

/** A closed-loop load generator: `concurrency` workers each run `operation` back to back. */
export async function runLoad(
  concurrency: number,
  durationMs: number,
  operation: (worker: number, i: number) => Promise<void>,
): Promise<LoadResult> {
  const tally = newTally();
  const deadline = tally.started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline; i++) {
        await tally.time(performance.now(), () => operation(worker, i));
      }
    }),
  );
  return tally.result();
}

/** Latencies and errors of one run, and its summary. */
function newTally() {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  return {
    started,
    /** Runs one operation; its latency counts from `since`. */
    async time(since: number, run: () => Promise<void>) {
      try {
        await run();
        latencies.push(performance.now() - since);
      } catch {
        errors++;
      }
    },
    result(): LoadResult {
      const seconds = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      return {
        operations: latencies.length,
        seconds,
        perSecond: latencies.length / seconds,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        errors,
      };
    },
  };
}

/**
 * An open-loop load generator: `concurrency` workers together start `perSecond` operations a
 * second on a fixed schedule. Latency runs from when an operation was due, not from when it
 * could be sent, so time spent queued behind a slow answer counts (no coordinated omission).
 */
export async function runAtRate(
  concurrency: number,
  perSecond: number,
  durationMs: number,
  operation: (worker: number, i: number) => Promise<void>,
): Promise<LoadResult> {
  const tally = newTally();
  const interval = (1000 * concurrency) / perSecond;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      const first = tally.started + (worker * interval) / concurrency;
      for (let i = 0; ; i++) {
        const due = first + i * interval;
        if (due >= tally.started + durationMs) break;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        // A timer may fire up to a millisecond early: then latency counts from the sending.
        await tally.time(Math.min(due, performance.now()), () => operation(worker, i));
      }
    }),
  );
  return tally.result();
}
