import type { Redis } from 'ioredis';
import type pg from 'pg';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { Logger } from '../../logger';
import { batchedCounter, type Consume } from './batching';
import { type StoreCircuit, storeCircuit } from './circuit';

export { leaseSize } from './batching';

export type RateLimitGroup = 'core' | 'webhooks';

/** Per-minute budgets of the contract; a key's own `rate_limit` replaces the core one. */
const DEFAULT_LIMITS: Record<RateLimitGroup, number> = { core: 30, webhooks: 10 };
export const WINDOW_SECONDS = 60;

/** The limit a key has in a group: the contract's default, or the key's own core limit. */
export function limitFor(group: RateLimitGroup, keyLimit: number | null): number {
  return group === 'core' && keyLimit !== null ? keyLimit : DEFAULT_LIMITS[group];
}

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
  /** Stops probing a store that is out of reach. */
  close(): void;
}

/** Where the counters live: Redis when given, else PostgreSQL when given, else memory. */
export interface CounterStore {
  redis?: Redis | undefined;
  pool?: pg.Pool | undefined;
  /** Told when the shared store goes out of reach and comes back. */
  logger?: Logger | undefined;
}

/** A key's count in one group at one limit: in the shared store, and in memory while it is away. */
interface Limiter {
  shared: RateLimiterAbstract | undefined;
  memory: RateLimiterMemory;
}

/**
 * Fixed one-minute windows per API key, counted by rate-limiter-flexible: in Redis or PostgreSQL
 * when the store has one (so every server instance draws on one budget), else in memory. While
 * the shared store is out of reach (see `storeCircuit`), each instance counts in its own memory.
 * Concurrent requests of one key are counted in batches, and a key with a high limit takes its
 * points a few at a time (see `batchedCounter`), so that most requests need no round trip.
 */
export async function createRateLimits(store: CounterStore = {}): Promise<RateLimits> {
  const { redis, logger } = store;
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
  const circuit: StoreCircuit | undefined = redis
    ? storeCircuit({ name: 'Redis', probe: () => redis.ping(), logger })
    : pool
      ? storeCircuit({
          name: "PostgreSQL's rate-limit counters",
          probe: () => pool.query('SELECT 1'),
          logger,
        })
      : undefined;

  const limiters = new Map<string, Limiter>();
  function limiterFor(group: RateLimitGroup, points: number): Limiter {
    const keyPrefix = `${group}${points}`;
    let limiter = limiters.get(keyPrefix);
    if (!limiter) {
      const options = { keyPrefix, points, duration: WINDOW_SECONDS };
      limiter = {
        memory: new RateLimiterMemory(options),
        shared: redis
          ? new RateLimiterRedis({
              ...options,
              // A Redis may serve other applications too: every key Passgate writes says whose it is.
              keyPrefix: `passgate:${keyPrefix}`,
              storeClient: redis,
              rejectIfRedisNotReady: true,
            })
          : pool
            ? new RateLimiterPostgres({
                ...options,
                storeClient: pool,
                tableName: 'rate_limits',
                tableCreated: true,
              })
            : undefined,
      };
      limiters.set(keyPrefix, limiter);
    }
    return limiter;
  }

  /** Consumes in the shared store while it answers, else in memory. */
  const consumeIn =
    (limiter: Limiter): Consume =>
    async (keyId, points) => {
      if (limiter.shared && circuit?.closed()) {
        try {
          return await consumePoints(limiter.shared, keyId, points);
        } catch (error) {
          circuit.failed(error);
        }
      }
      return consumePoints(limiter.memory, keyId, points);
    };

  const counter = batchedCounter();
  return {
    store: redis ? 'redis' : pool ? 'postgres' : 'memory',
    consume(group, keyId, limit) {
      const limiter = limiterFor(group, limit);
      return counter.count(`${group}${limit}:${keyId}`, keyId, limit, consumeIn(limiter));
    },
    close: () => circuit?.stop(),
  };
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
