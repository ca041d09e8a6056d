import type { RateLimitDecision } from './index';

/** Takes `points` from a key's count in the current window; the window's count after it. */
export type Consume = (
  keyId: string,
  points: number,
) => Promise<{ consumedPoints: number; msBeforeNext: number }>;

/**
 * Requests of one key that arrive while its previous consume is on its way to the store wait
 * for it, then go together as one consume of as many points (one round trip, not one each).
 * Counting is exact: the window's count is a sum, so each request of a batch is answered as if
 * the batch had been sent one by one in arrival order.
 */
interface Batch {
  consume: Consume;
  keyId: string;
  limit: number;
  sending: boolean;
  waiting: { resolve(decision: RateLimitDecision): void; reject(error: unknown): void }[];
}

/**
 * Points of the current window that this instance took from the shared count ahead of use: the
 * requests that will be counted `next` … `last`. They are spent locally, with no round trip,
 * and lapse when the window resets. On one instance counting stays exact. With several, the
 * shared count never exceeds the limit, but at the end of a window that runs out, up to a lease
 * less one per other instance may go unused (those requests get 429 slightly early), and a
 * remainder does not yet show what other instances took since their last lease.
 */
interface Lease {
  next: number;
  last: number;
  resetsAt: number;
}

/** Points per consume: 1% of the limit, at most 100; keys under 200 a minute count one by one. */
const MAX_LEASE = 100;
export const leaseSize = (limit: number) =>
  Math.min(MAX_LEASE, Math.max(1, Math.floor(limit / 100)));

/** The decision for the request that is the window's `count`th. */
function decisionAt(count: number, limit: number, msBeforeReset: number): RateLimitDecision {
  return {
    allowed: count <= limit,
    limit,
    remaining: Math.max(0, limit - count),
    msBeforeReset,
  };
}

/**
 * Counts requests per key in batches and leases (see `Batch` and `Lease`), so that most requests
 * need no round trip to the store. `id` names a key's count in one group at one limit.
 */
export function batchedCounter() {
  const batches = new Map<string, Batch>();
  const leases = new Map<string, Lease>();

  /** The next leased point of a key, if it has one left in the current window. */
  function fromLease(id: string, limit: number): RateLimitDecision | undefined {
    const lease = leases.get(id);
    if (!lease) return undefined;
    const msBeforeReset = lease.resetsAt - Date.now();
    if (msBeforeReset <= 0 || lease.next > lease.last) {
      leases.delete(id);
      return undefined;
    }
    const count = lease.next++;
    return { allowed: true, limit, remaining: limit - count, msBeforeReset };
  }

  /** Sends every waiting request of a batch to its store as one consume. */
  async function send(id: string, batch: Batch) {
    const requests = batch.waiting.splice(0);
    const points = Math.max(requests.length, leaseSize(batch.limit));
    batch.sending = true;
    try {
      const res = await batch.consume(batch.keyId, points);
      const countBefore = res.consumedPoints - points;
      requests.forEach((request, i) => {
        request.resolve(decisionAt(countBefore + i + 1, batch.limit, res.msBeforeNext));
      });
      // Points taken beyond the batch, and still within the limit, are this instance's lease.
      const last = Math.min(res.consumedPoints, batch.limit);
      const next = countBefore + requests.length + 1;
      if (next <= last) leases.set(id, { next, last, resetsAt: Date.now() + res.msBeforeNext });
    } catch (error) {
      for (const request of requests) request.reject(error);
    } finally {
      batch.sending = false;
      // Requests that waited for this consume take what it leased before another is sent.
      while (batch.waiting.length > 0) {
        const decision = fromLease(id, batch.limit);
        if (!decision) break;
        batch.waiting.shift()?.resolve(decision);
      }
      if (batch.waiting.length > 0) void send(id, batch);
      else batches.delete(id);
    }
  }

  return {
    count(id: string, keyId: string, limit: number, consume: Consume): Promise<RateLimitDecision> {
      const leased = fromLease(id, limit);
      if (leased) return Promise.resolve(leased);
      let batch = batches.get(id);
      if (!batch) {
        batch = { consume, keyId, limit, sending: false, waiting: [] };
        batches.set(id, batch);
      }
      const joined = batch;
      return new Promise<RateLimitDecision>((resolve, reject) => {
        joined.waiting.push({ resolve, reject });
        if (!joined.sending) void send(id, joined);
      });
    },
  };
}
