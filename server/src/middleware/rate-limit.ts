import type { MiddlewareHandler } from 'hono';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { ApiError } from '../errors';
import type { ApiEnv } from './env';

export type RateLimitGroup = 'core' | 'webhooks';

/** Per-minute budgets of the contract; a key's own `rate_limit` replaces the core one. */
const DEFAULT_LIMITS: Record<RateLimitGroup, number> = { core: 30, webhooks: 10 };
const WINDOW_SECONDS = 60;

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  msBeforeReset: number;
}

export interface RateLimits {
  /** Where the counts live, as chosen from the `CounterStore`. */
  store: 'redis' | 'postgres' | 'memory';
  consume(group: RateLimitGroup, keyId: string, limit: number): Promise<RateLimitDecision>;
}

/** Where the counters live: Redis when given, else PostgreSQL when given, else memory. */
export interface CounterStore {
  redis?: Redis;
  pool?: pg.Pool;
}

/**
 * Fixed one-minute windows per API key, counted by rate-limiter-flexible: in Redis or PostgreSQL
 * when the store has one (so every server instance draws on one budget), else in memory.
 * Concurrent requests of one key are counted in batches (see `Batch`), and a key with a high
 * limit takes its points a few at a time (see `Lease`), so that most requests need no round trip.
 */
export async function createRateLimits(store: CounterStore = {}): Promise<RateLimits> {
  const limiters = new Map<string, RateLimiterAbstract>();
  const { redis } = store;
  const pool = redis ? undefined : store.pool;
  if (pool) {
    // Creates the library's own table once; later limiters reuse it.
    await new Promise<void>((resolve, reject) => {
      new RateLimiterPostgres(
        { storeClient: pool, tableName: 'rate_limits', keyPrefix: 'setup', points: 1, duration: 1 },
        (error?: Error) => (error ? reject(error) : resolve()),
      );
    });
  }

  function limiterFor(group: RateLimitGroup, points: number): RateLimiterAbstract {
    const keyPrefix = `${group}${points}`;
    let limiter = limiters.get(keyPrefix);
    if (!limiter) {
      const options = { keyPrefix, points, duration: WINDOW_SECONDS };
      // If the store is briefly unreachable, count in memory rather than fail requests.
      const insuranceLimiter = new RateLimiterMemory(options);
      if (redis) {
        limiter = new RateLimiterRedis({
          ...options,
          // A Redis may serve other applications too: every key Passgate writes says whose it is.
          keyPrefix: `passgate:${keyPrefix}`,
          storeClient: redis,
          rejectIfRedisNotReady: true,
          insuranceLimiter,
        });
      } else if (pool) {
        limiter = new RateLimiterPostgres({
          ...options,
          storeClient: pool,
          tableName: 'rate_limits',
          tableCreated: true,
          insuranceLimiter,
        });
      } else {
        limiter = new RateLimiterMemory(options);
      }
      limiters.set(keyPrefix, limiter);
    }
    return limiter;
  }

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

  /** Sends every waiting request of a batch to its limiter as one consume. */
  async function send(id: string, batch: Batch) {
    const requests = batch.waiting.splice(0);
    const points = Math.max(requests.length, leaseSize(batch.limit));
    batch.sending = true;
    try {
      const res = await consumePoints(batch.limiter, batch.keyId, points);
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
    store: redis ? 'redis' : pool ? 'postgres' : 'memory',
    consume(group, keyId, limit) {
      const id = `${group}${limit}:${keyId}`;
      const leased = fromLease(id, limit);
      if (leased) return Promise.resolve(leased);
      let batch = batches.get(id);
      if (!batch) {
        batch = { limiter: limiterFor(group, limit), keyId, limit, sending: false, waiting: [] };
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

/**
 * Requests of one key that arrive while its previous consume is on its way to the database wait
 * for it, then go together as one consume of as many points (one round trip, not one each).
 * Counting is exact: the window's count is a sum, so each request of a batch is answered as if
 * the batch had been sent one by one in arrival order.
 */
interface Batch {
  limiter: RateLimiterAbstract;
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

/** The window after consuming: rate-limiter-flexible rejects with it when over the limit. */
async function consumePoints(limiter: RateLimiterAbstract, keyId: string, points: number) {
  try {
    return await limiter.consume(keyId, points);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return rejection;
    throw rejection;
  }
}

/** The decision for the request that is the window's `count`th. */
function decisionAt(count: number, limit: number, msBeforeReset: number): RateLimitDecision {
  return {
    allowed: count <= limit,
    limit,
    remaining: Math.max(0, limit - count),
    msBeforeReset,
  };
}

/** The limit a key has in a group: the contract's default, or the key's own higher core limit. */
export function limitFor(group: RateLimitGroup, keyLimit: number | null): number {
  return group === 'core' && keyLimit !== null ? keyLimit : DEFAULT_LIMITS[group];
}

/**
 * Counts the request against the key's budget in the group its path belongs to, and sets
 * GitHub-style and IETF headers.
 */
export function rateLimit(options: {
  rateLimits: RateLimits;
  groupOf: (path: string) => RateLimitGroup;
}): MiddlewareHandler<ApiEnv> {
  const { rateLimits, groupOf } = options;
  return async function rateLimitMiddleware(c, next) {
    const { key } = c.get('caller');
    const group = groupOf(c.req.path);
    const decision = await rateLimits.consume(group, key.id, limitFor(group, key.rate_limit));
    const resetSeconds = Math.max(1, Math.ceil(decision.msBeforeReset / 1000));
    const headers = {
      'X-RateLimit-Limit': String(decision.limit),
      'X-RateLimit-Remaining': String(decision.remaining),
      'X-RateLimit-Reset': String(Math.ceil((Date.now() + decision.msBeforeReset) / 1000)),
      'RateLimit-Policy': `"${group}";q=${decision.limit};w=${WINDOW_SECONDS}`,
      RateLimit: `"${group}";r=${decision.remaining};t=${resetSeconds}`,
    };
    if (!decision.allowed) {
      throw new ApiError(
        429,
        `Rate limit of ${decision.limit} requests per minute exceeded; retry in ${resetSeconds} s`,
        { ...headers, 'Retry-After': String(resetSeconds) },
      );
    }
    // Set before the handler runs, so that they go into whatever answer it makes (errors too)
    // without rebuilding a finished response.
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    await next();
  };
}
