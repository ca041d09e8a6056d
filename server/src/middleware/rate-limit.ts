import type { MiddlewareHandler } from 'hono';
import type pg from 'pg';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
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
  consume(group: RateLimitGroup, keyId: string, limit: number): Promise<RateLimitDecision>;
}

/**
 * Fixed one-minute windows per API key, counted by rate-limiter-flexible: in PostgreSQL when
 * there is a pool (so every server instance draws on one budget), else in memory. Concurrent
 * requests of one key are counted in batches (see `Batch`), each still answered exactly.
 */
export async function createRateLimits(pool: pg.Pool | undefined): Promise<RateLimits> {
  const limiters = new Map<string, RateLimiterAbstract>();
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
      limiter = pool
        ? new RateLimiterPostgres({
            ...options,
            storeClient: pool,
            tableName: 'rate_limits',
            tableCreated: true,
            // If PostgreSQL is briefly unreachable, count in memory rather than fail requests.
            insuranceLimiter: new RateLimiterMemory(options),
          })
        : new RateLimiterMemory(options);
      limiters.set(keyPrefix, limiter);
    }
    return limiter;
  }

  const batches = new Map<string, Batch>();

  /** Sends every waiting request of a batch to its limiter as one consume. */
  async function send(id: string, batch: Batch) {
    const requests = batch.waiting.splice(0);
    batch.sending = true;
    try {
      const res = await consumePoints(batch.limiter, batch.keyId, requests.length);
      requests.forEach((request, i) => {
        request.resolve(decisionInBatch(res, requests.length, i, batch.limit));
      });
    } catch (error) {
      for (const request of requests) request.reject(error);
    } finally {
      batch.sending = false;
      if (batch.waiting.length > 0) void send(id, batch);
      else batches.delete(id);
    }
  }

  return {
    consume(group, keyId, limit) {
      const id = `${group}${limit}:${keyId}`;
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

/** The window after consuming: rate-limiter-flexible rejects with it when over the limit. */
async function consumePoints(limiter: RateLimiterAbstract, keyId: string, points: number) {
  try {
    return await limiter.consume(keyId, points);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return rejection;
    throw rejection;
  }
}

/** The decision for request `index` of a batch of `size`, from the count after the batch. */
function decisionInBatch(
  res: RateLimiterRes,
  size: number,
  index: number,
  limit: number,
): RateLimitDecision {
  const count = res.consumedPoints - size + index + 1;
  return {
    allowed: count <= limit,
    limit,
    remaining: Math.max(0, limit - count),
    msBeforeReset: res.msBeforeNext,
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
