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
export const DEFAULT_LIMITS: Record<RateLimitGroup, number> = { core: 30, webhooks: 10 };
/**
 * A signed-in user's per-minute budgets: a dashboard page makes a few requests at once, and a
 * person clicks faster than an integration's default allows.
 */
export const USER_LIMITS: Record<RateLimitGroup, number> = { core: 600, webhooks: 120 };
export const WINDOW_SECONDS = 60;
/** Points of an attempt counter: more than any window holds. */
const UNLIMITED = 2 ** 30;

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

/**
 * Counts attempts per name (sign-ins per email, pairings per address) in a window. Each attempt
 * is counted before it is checked, atomically in the store, so attempts sent at once see each
 * other's counts.
 */
export interface AttemptCounter {
  /** Counts one more attempt; answers how many the window now holds, this one included. */
  count(name: string): Promise<number>;
  /** Takes one attempt back out of the count (one that succeeded). */
  forgive(name: string): Promise<void>;
  /** Forgets every attempt of the name. */
  clear(name: string): Promise<void>;
}

export interface RateLimits {
  /** Where the counts live, as chosen from the `CounterStore`. */
  store: 'redis' | 'postgres' | 'memory';
  consume(group: RateLimitGroup, keyId: string, limit: number): Promise<RateLimitDecision>;
  /** A counter of attempts in the same store, each kept for `windowSeconds`. */
  attempts(kind: string, windowSeconds: number): AttemptCounter;
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

/** The store every instance counts in: Redis or PostgreSQL, and whether it answers now. */
interface SharedStore {
  kind: 'redis' | 'postgres';
  circuit: StoreCircuit;
  limiter(options: { keyPrefix: string; points: number; duration: number }): RateLimiterAbstract;
}

/**
 * Redis when given, else PostgreSQL when given (its table `rate_limits` is made by a migration),
 * else none: memory.
 */
function sharedStoreOf(store: CounterStore): SharedStore | undefined {
  const { redis, pool, logger } = store;
  if (redis) {
    return {
      kind: 'redis',
      circuit: storeCircuit({ name: 'Redis', probe: () => redis.ping(), logger }),
      limiter: (options) =>
        new RateLimiterRedis({
          ...options,
          // A Redis may serve other applications too: every key Passgate writes says whose it is.
          keyPrefix: `passgate:${options.keyPrefix}`,
          storeClient: redis,
          rejectIfRedisNotReady: true,
        }),
    };
  }
  if (pool) {
    return {
      kind: 'postgres',
      circuit: storeCircuit({
        name: "PostgreSQL's rate-limit counters",
        probe: () => pool.query('SELECT 1'),
        logger,
      }),
      limiter: (options) =>
        new RateLimiterPostgres({
          ...options,
          storeClient: pool,
          tableName: 'rate_limits',
          tableCreated: true,
        }),
    };
  }
  return undefined;
}

/**
 * Fixed one-minute windows per API key, counted by rate-limiter-flexible: in Redis or PostgreSQL
 * when the store has one (so every server instance draws on one budget), else in memory. While
 * the shared store is out of reach (see `storeCircuit`), each instance counts in its own memory.
 * Concurrent requests of one key are counted in batches, and a key with a high limit takes its
 * points a few at a time (see `batchedCounter`), so that most requests need no round trip.
 */
export function createRateLimits(store: CounterStore = {}): RateLimits {
  const shared = sharedStoreOf(store);

  /** How each group-and-limit counts: in the shared store while it answers, else in memory. */
  const consumers = new Map<string, Consume>();
  function consumerFor(group: RateLimitGroup, points: number): Consume {
    const keyPrefix = `${group}${points}`;
    let consume = consumers.get(keyPrefix);
    if (!consume) {
      const options = { keyPrefix, points, duration: WINDOW_SECONDS };
      const memory = new RateLimiterMemory(options);
      const inStore = shared?.limiter(options);
      consume = async (keyId, points) => {
        if (inStore && shared?.circuit.closed()) {
          try {
            return await consumePoints(inStore, keyId, points);
          } catch (error) {
            shared.circuit.failed(error);
          }
        }
        return consumePoints(memory, keyId, points);
      };
      consumers.set(keyPrefix, consume);
    }
    return consume;
  }

  const counter = batchedCounter();
  return {
    store: shared?.kind ?? 'memory',
    consume(group, keyId, limit) {
      return counter.count(`${group}${limit}:${keyId}`, keyId, limit, consumerFor(group, limit));
    },
    attempts(kind, windowSeconds) {
      // Never refused by the limiter itself: what an attempt's count means is the caller's.
      const options = { keyPrefix: `try-${kind}`, points: UNLIMITED, duration: windowSeconds };
      const memory = new RateLimiterMemory(options);
      const inStore = shared?.limiter(options);
      /** The store while it answers, else this instance's memory. */
      async function use<T>(run: (limiter: RateLimiterAbstract) => Promise<T>): Promise<T> {
        if (inStore && shared?.circuit.closed()) {
          try {
            return await run(inStore);
          } catch (error) {
            shared.circuit.failed(error);
          }
        }
        return run(memory);
      }
      return {
        count: (name) =>
          use(async (limiter) => (await consumePoints(limiter, name, 1)).consumedPoints),
        forgive: (name) => use((limiter) => limiter.reward(name, 1).then(() => undefined)),
        clear: (name) => use((limiter) => limiter.delete(name).then(() => undefined)),
      };
    },
    close: () => shared?.circuit.stop(),
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
