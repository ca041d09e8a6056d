import { Redis } from 'ioredis';
import { nanoid } from 'nanoid';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openTestDatabase } from '../../../../test/support/test-database';
import { type CounterStore, createRateLimits, leaseSize } from '.';

it('takes 1% of the limit per round trip, at most 100; under 200 a minute, one by one', () => {
  expect([30, 199, 200, 1_000, 45_000, 1_000_000].map(leaseSize)).toEqual([1, 1, 2, 10, 100, 100]);
});

// The counting of `createRateLimits` in memory (PGlite's store) and, where REDIS_URL is set, in
// a real Redis; test/api/rate-limit.test.ts covers PostgreSQL and several server instances.
const redisUrl = process.env.REDIS_URL || undefined;
const redis = redisUrl ? new Redis(redisUrl, { lazyConnect: true }) : undefined;
// Connected before counting, as the server does: until then the counts go to the memory insurance.
await redis?.connect();
afterAll(() => redis?.quit());
const stores: [string, CounterStore][] = [
  ['memory', {}],
  ...(redis ? [['Redis', { redis }] as [string, CounterStore]] : []),
];

describe.each(stores)('rate-limit counting in %s', (_, store) => {
  // Keys unique to this run: Redis outlives it, and its windows last a minute.
  const keyOf = (name: string) => `key_${name}_${nanoid(8)}`;

  it.each([30, 500])(
    'answers each of a limit of %i exactly, in order, then refuses',
    async (limit) => {
      const rateLimits = createRateLimits(store);
      const key = keyOf('a');
      const decisions = [];
      for (let i = 0; i < limit + 3; i++)
        decisions.push(await rateLimits.consume('core', key, limit));
      expect(decisions.slice(0, limit).every((d) => d.allowed)).toBe(true);
      expect(decisions.slice(0, limit).map((d) => d.remaining)).toEqual(
        Array.from({ length: limit }, (_, i) => limit - 1 - i),
      );
      expect(decisions.slice(limit).map((d) => [d.allowed, d.remaining])).toEqual([
        [false, 0],
        [false, 0],
        [false, 0],
      ]);
      for (const d of decisions) {
        expect(d.msBeforeReset).toBeGreaterThan(0);
        expect(d.msBeforeReset).toBeLessThanOrEqual(60_000);
      }
    },
  );

  it('counts concurrent requests exactly, leased or batched: each remainder once', async () => {
    const rateLimits = createRateLimits(store);
    const key = keyOf('b');
    const decisions = await Promise.all(
      Array.from({ length: 520 }, () => rateLimits.consume('core', key, 500)),
    );
    const allowed = decisions.filter((d) => d.allowed);
    expect(allowed).toHaveLength(500);
    expect(allowed.map((d) => d.remaining).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 500 }, (_, i) => i),
    );
  });

  it('keeps keys, groups and limits apart', async () => {
    const rateLimits = createRateLimits(store);
    const [c, d] = [keyOf('c'), keyOf('d')];
    await rateLimits.consume('core', c, 500);
    expect((await rateLimits.consume('core', c, 500)).remaining).toBe(498);
    expect((await rateLimits.consume('core', d, 500)).remaining).toBe(499);
    expect((await rateLimits.consume('webhooks', c, 10)).remaining).toBe(9);
    expect((await rateLimits.consume('core', c, 1_000)).remaining).toBe(999);
  });

  it.runIf(store.redis)(
    'shares one count between instances, kept under passgate: keys',
    async () => {
      const [first, second] = [createRateLimits(store), createRateLimits(store)];
      const key = keyOf('e');
      expect((await first.consume('core', key, 30)).remaining).toBe(29);
      expect((await second.consume('core', key, 30)).remaining).toBe(28);
      expect(await redis?.get(`passgate:core30:${key}`)).toBe('2');
      expect(await redis?.pttl(`passgate:core30:${key}`)).toBeGreaterThan(58_000);
    },
  );
});

describe.skipIf(!inject('databaseUrl'))('rate-limit counting in PostgreSQL', () => {
  it('uses the table the migrations made, and changes no schema itself', async () => {
    const database = await openTestDatabase();
    const statements: string[] = [];
    const pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 1 });
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    // Every statement the counting sends, whichever way it calls the pool.
    pool.query = ((...args: unknown[]) => {
      const [first] = args;
      statements.push(typeof first === 'string' ? first : String((first as { text: string }).text));
      return query(...args);
    }) as typeof pool.query;
    try {
      const rateLimits = createRateLimits({ pool });
      expect(rateLimits.store).toBe('postgres');
      const key = `key_pg_${nanoid(8)}`;
      expect((await rateLimits.consume('core', key, 30)).remaining).toBe(29);
      expect(statements.length).toBeGreaterThan(0);
      // Two servers starting at once on a new database once both ran the library's CREATE TABLE.
      expect(statements.filter((text) => /\b(CREATE|ALTER|DROP)\b/i.test(text))).toEqual([]);
    } finally {
      await pool.end();
      await database.close();
    }
  });
});
