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
 * there is a pool (so every server instance draws on one budget), else in memory.
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

  return {
    async consume(group, keyId, limit) {
      try {
        const res = await limiterFor(group, limit).consume(keyId);
        return {
          allowed: true,
          limit,
          remaining: res.remainingPoints,
          msBeforeReset: res.msBeforeNext,
        };
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        return { allowed: false, limit, remaining: 0, msBeforeReset: rejection.msBeforeNext };
      }
    },
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
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  };
}
