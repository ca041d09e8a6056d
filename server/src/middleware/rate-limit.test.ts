import { describe, expect, it } from 'vitest';
import { createRateLimits, leaseSize } from './rate-limit';

// The counting of `createRateLimits` with rate-limiter-flexible's in-memory store (PGlite's);
// test/api/rate-limit.test.ts covers the PostgreSQL store and several server instances.
describe('rate-limit counting', () => {
  it('takes 1% of the limit per round trip, at most 100; under 200 a minute, one by one', () => {
    expect([30, 199, 200, 1_000, 45_000, 1_000_000].map(leaseSize)).toEqual([
      1, 1, 2, 10, 100, 100,
    ]);
  });

  it.each([30, 500])(
    'answers each of a limit of %i exactly, in order, then refuses',
    async (limit) => {
      const rateLimits = await createRateLimits(undefined);
      const decisions = [];
      for (let i = 0; i < limit + 3; i++)
        decisions.push(await rateLimits.consume('core', 'key_a', limit));
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
    const rateLimits = await createRateLimits(undefined);
    const decisions = await Promise.all(
      Array.from({ length: 520 }, () => rateLimits.consume('core', 'key_b', 500)),
    );
    const allowed = decisions.filter((d) => d.allowed);
    expect(allowed).toHaveLength(500);
    expect(allowed.map((d) => d.remaining).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 500 }, (_, i) => i),
    );
  });

  it('keeps keys, groups and limits apart', async () => {
    const rateLimits = await createRateLimits(undefined);
    await rateLimits.consume('core', 'key_c', 500);
    expect((await rateLimits.consume('core', 'key_c', 500)).remaining).toBe(498);
    expect((await rateLimits.consume('core', 'key_d', 500)).remaining).toBe(499);
    expect((await rateLimits.consume('webhooks', 'key_c', 10)).remaining).toBe(9);
    expect((await rateLimits.consume('core', 'key_c', 1_000)).remaining).toBe(999);
  });
});
