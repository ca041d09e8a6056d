import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migratedDataDir } from '../support/data-dir';
import { startOwnRedis } from '../support/redis-server';
import { type RunningServer, startServer } from '../support/server';
import { startTcpProxy } from '../support/tcp-proxy';
import { createTenant, http } from '../support/tenant';

const databaseUrl = inject('databaseUrl');
const redisUrl = inject('redisUrl');

describe('rate limits', () => {
  it('allows 30 requests a minute per key, with every header, then 429 with Retry-After', async () => {
    const tenant = await createTenant({ rateLimit: null });
    const answers = [];
    for (let i = 0; i < 31; i++)
      answers.push(await http(`${tenant.apiUrl}/passes?limit=1`, { key: tenant.apiKey }));
    expect(answers.slice(0, 30).every((a) => a.status === 200)).toBe(true);
    const first = answers[0]!.headers;
    expect(first.get('x-ratelimit-limit')).toBe('30');
    expect(first.get('x-ratelimit-remaining')).toBe('29');
    const reset = Number(first.get('x-ratelimit-reset'));
    const now = Date.now() / 1000;
    expect(reset).toBeGreaterThan(now);
    expect(reset).toBeLessThanOrEqual(Math.ceil(now) + 61);
    expect(first.get('ratelimit-policy')).toBe('"core";q=30;w=60');
    expect(first.get('ratelimit')).toMatch(/^"core";r=29;t=\d+$/);
    expect(answers[29]!.headers.get('x-ratelimit-remaining')).toBe('0');

    const limited = answers[30]!;
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatch(/Rate limit of 30 requests per minute/);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);

    // The budget is the key's: another tenant's key is unaffected; scan shares the core budget.
    const other = await createTenant({ rateLimit: null });
    expect((await http(`${tenant.apiUrl}/me`, { key: other.apiKey })).status).toBe(200);
    expect(
      (await http(`${tenant.apiUrl}/scan`, { key: tenant.apiKey, json: { code: 'AAAAAAAAAAAA' } }))
        .status,
    ).toBe(429);
  });

  it('counts concurrent requests exactly: 30 of 40 pass, each told a different remainder', async () => {
    const tenant = await createTenant({ rateLimit: null });
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => http(`${tenant.apiUrl}/me`, { key: tenant.apiKey })),
    );
    expectExactCounting(answers);
  });

  it('puts the headers on error answers too', async () => {
    const tenant = await createTenant({ rateLimit: null });
    const notFound = await http(`${tenant.apiUrl}/passes/pass_unknown`, { key: tenant.apiKey });
    const invalid = await http(`${tenant.apiUrl}/scan`, { key: tenant.apiKey, json: { code: 7 } });
    expect([notFound.status, invalid.status]).toEqual([404, 400]);
    expect(notFound.headers.get('x-ratelimit-remaining')).toBe('29');
    expect(invalid.headers.get('x-ratelimit-remaining')).toBe('28');
    expect(invalid.headers.get('ratelimit')).toMatch(/^"core";r=28;t=\d+$/);
  });

  it('a key’s own limit replaces the core budget', async () => {
    const tenant = await createTenant({ rateLimit: 45 });
    const res = await http(`${tenant.server.url}/api/v1/me`, { key: tenant.apiKey });
    expect(res.headers.get('x-ratelimit-limit')).toBe('45');
    expect(res.body.key.rateLimit).toBe(45);
  });
});

describe.skipIf(!databaseUrl)('rate limits on PostgreSQL, across server instances', () => {
  let second: RunningServer;
  beforeAll(async () => {
    second = await startServer({ databaseUrl });
  });
  afterAll(async () => {
    await second?.stop();
  });

  it('two processes share one budget per key', async () => {
    const tenant = await createTenant({ rateLimit: null });
    const answers = await alternately(40, [tenant.server.url, second.url], tenant.apiKey);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(30);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(10);
    expect(answers.slice(30).every((a) => a.status === 429)).toBe(true);
  });

  it('two processes count concurrent requests of one key exactly', async () => {
    const tenant = await createTenant({ rateLimit: null });
    const urls = [tenant.server.url, second.url];
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        http(`${urls[i % 2]}/api/v1/me`, { key: tenant.apiKey }),
      ),
    );
    expectExactCounting(answers);
  });

  it('takes points a lease at a time: one write per 10 requests, each still told its remainder', async () => {
    const tenant = await createTenant({ rateLimit: 1000 });
    const remainders = [];
    for (let i = 0; i < 25; i++) {
      const answer = await http(`${tenant.apiUrl}/me`, { key: tenant.apiKey });
      remainders.push(Number(answer.headers.get('x-ratelimit-remaining')));
    }
    expect(remainders).toEqual(Array.from({ length: 25 }, (_, i) => 999 - i));
    // The shared count moved in leases of 1% of the limit: three round trips, not 25.
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT points FROM rate_limits WHERE key = $1', [
        `core1000:${tenant.keyId}`,
      ]);
      expect(rows).toEqual([{ points: 30 }]);
    } finally {
      await client.end();
    }
  });

  it('two processes never spend more than the budget between them', async () => {
    const tenant = await createTenant({ rateLimit: 300 });
    const answers = await alternately(320, [tenant.server.url, second.url], tenant.apiKey);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(300);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(20);
    // A process may refuse while the other still holds the end of its lease (at most 2 of 3).
    expect(answers.slice(0, 298).every((a) => a.status === 200)).toBe(true);
  });
});

describe.skipIf(!redisUrl)('rate limits in Redis (REDIS_URL)', () => {
  let redis: Redis;
  beforeAll(async () => {
    redis = new Redis(redisUrl!, { lazyConnect: true });
    await redis.connect();
  });
  afterAll(() => redis?.quit());

  /** A server counting in Redis at `redisAt`, on the run's PostgreSQL or on PGlite in `dataDir`. */
  const startCountingIn = (redisAt: string, dataDir = migratedDataDir()) =>
    startServer({ databaseUrl, dataDir, env: { REDIS_URL: redisAt } });
  const remainingAfterMe = async (serverUrl: string, key: string) =>
    (await http(`${serverUrl}/api/v1/me`, { key })).headers.get('x-ratelimit-remaining');
  const countInRedis = (keyId: string) => redis.get(`passgate:core30:${keyId}`);

  it('keeps the count across a restart: it is in Redis, not in the process', async () => {
    const dataDir = migratedDataDir();
    let server = await startCountingIn(redisUrl!, dataDir);
    try {
      expect(server.logs.join('')).toContain('"rateLimits":"redis"');
      const tenant = await createTenant({ server, rateLimit: null });
      for (const expected of ['29', '28', '27'])
        expect(await remainingAfterMe(server.url, tenant.apiKey)).toBe(expected);
      expect(await server.stop()).toBe(0);
      server = await startCountingIn(redisUrl!, dataDir);
      expect(await remainingAfterMe(server.url, tenant.apiKey)).toBe('26');
      expect(await countInRedis(tenant.keyId)).toBe('4');
    } finally {
      await server.stop();
    }
  });

  it.skipIf(!databaseUrl)(
    'two processes share one budget in Redis, none of it in PostgreSQL',
    async () => {
      const [one, two] = await Promise.all([
        startCountingIn(redisUrl!),
        startCountingIn(redisUrl!),
      ]);
      try {
        const tenant = await createTenant({ server: one, rateLimit: null });
        const answers = await alternately(40, [one.url, two.url], tenant.apiKey);
        expect(answers.slice(0, 30).every((a) => a.status === 200)).toBe(true);
        expect(answers.slice(30).every((a) => a.status === 429)).toBe(true);
        expect(await countInRedis(tenant.keyId)).toBe('40');
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        try {
          const { rows } = await client.query('SELECT key FROM rate_limits WHERE key LIKE $1', [
            `%${tenant.keyId}`,
          ]);
          expect(rows).toEqual([]);
        } finally {
          await client.end();
        }
      } finally {
        await Promise.all([one.stop(), two.stop()]);
      }
    },
  );

  it('answers while Redis is out of reach, counting in memory, and counts in Redis once it is back', async () => {
    const proxy = await startTcpProxy(redisUrl!);
    const server = await startCountingIn(proxy.url);
    try {
      const tenant = await createTenant({ server, rateLimit: null });
      expect(await remainingAfterMe(server.url, tenant.apiKey)).toBe('29');
      expect(await countInRedis(tenant.keyId)).toBe('1');

      await proxy.cut();
      for (let i = 0; i < 3; i++) {
        const answer = await http(`${server.url}/api/v1/me`, { key: tenant.apiKey });
        expect(answer.status).toBe(200);
        expect(answer.headers.get('x-ratelimit-limit')).toBe('30');
      }
      // The warning comes from ioredis's own event, which need not precede the answers.
      await expect
        .poll(() => server.logs.join('').includes('Redis is out of reach'), { timeout: 10_000 })
        .toBe(true);

      await proxy.restore();
      await expect
        .poll(() => server.logs.join('').includes('Redis is back'), { timeout: 10_000 })
        .toBe(true);
      await http(`${server.url}/api/v1/me`, { key: tenant.apiKey });
      expect(await countInRedis(tenant.keyId)).toBe('2');
    } finally {
      await server.stop();
      await proxy.close();
    }
  });
});

describe.skipIf(!redisUrl)('a Redis that hangs (SIGSTOP)', () => {
  it('costs one short timeout, is logged once, and the count goes back to Redis when it answers', async () => {
    const redis = await startOwnRedis();
    const server = await startServer({
      databaseUrl,
      dataDir: migratedDataDir(),
      env: { REDIS_URL: redis.url },
    });
    try {
      const tenant = await createTenant({ server, rateLimit: null });
      const me = () => http(`${server.url}/api/v1/me`, { key: tenant.apiKey });
      const countInRedis = () => redis.client.get(`passgate:core30:${tenant.keyId}`);
      expect((await me()).status).toBe(200);
      expect(await countInRedis()).toBe('1');

      redis.process.kill('SIGSTOP');
      const answers = [];
      for (let i = 0; i < 10; i++) answers.push(await me());
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
      // Counted in memory, in a window of its own: 29 down to 20.
      expect(answers.map((a) => a.headers.get('x-ratelimit-remaining'))).toEqual(
        Array.from({ length: 10 }, (_, i) => String(29 - i)),
      );
      await expect.poll(() => server.logs.join('')).toContain('Redis is out of reach');

      redis.process.kill('SIGCONT');
      await expect.poll(() => server.logs.join(''), { timeout: 10_000 }).toContain('Redis is back');
      // What reached the hung Redis ran when it woke: the one command that timed out, not ten.
      expect(await countInRedis()).toBe('2');
      expect((await me()).status).toBe(200);
      expect(await countInRedis()).toBe('3');
      const logs = server.logs.join('');
      expect(logs.split('Redis is out of reach').length - 1).toBe(1);
      expect(logs.split('Redis is back').length - 1).toBe(1);
    } finally {
      await server.stop();
      await redis.close();
    }
  });
});

/** `count` calls of `/me` one after another, taking turns between the servers. */
async function alternately(count: number, serverUrls: string[], key: string) {
  const answers = [];
  for (let i = 0; i < count; i++)
    answers.push(await http(`${serverUrls[i % serverUrls.length]}/api/v1/me`, { key }));
  return answers;
}

/** 30 answers of 200 whose remainders are 29 down to 0, each once; then 10 of 429. */
function expectExactCounting(answers: { status: number; headers: Headers }[]) {
  const allowed = answers.filter((a) => a.status === 200);
  expect(allowed).toHaveLength(30);
  expect(answers.filter((a) => a.status === 429)).toHaveLength(10);
  const remainders = allowed.map((a) => Number(a.headers.get('x-ratelimit-remaining')));
  expect(remainders.sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
}
