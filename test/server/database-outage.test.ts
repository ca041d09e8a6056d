import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { createFreshDatabase, lockWaiters } from '../support/database';
import { startServer } from '../support/server';
import { startTcpProxy } from '../support/tcp-proxy';
import { createTenant, type HttpAnswer, http } from '../support/tenant';

const databaseUrl = inject('databaseUrl');

/**
 * A server that reaches the run's PostgreSQL through a TCP proxy the test can cut or stall, a
 * tenant's multi pass there, and `scan()` of it, sent by `send` and admitted once already.
 */
async function passBehindProxy(send: typeof http = http, env: Record<string, string> = {}) {
  const proxy = await startTcpProxy(databaseUrl!);
  const server = await startServer({ databaseUrl: proxy.url, env });
  const stop = async () => {
    await server.stop();
    await proxy.close();
  };
  try {
    const tenant = await createTenant({ server });
    const pass = await tenant.client.passes.create({ type: 'multi' });
    if (!pass.ok) throw new Error(pass.error);
    const scan = () =>
      send(`${tenant.apiUrl}/scan`, { key: tenant.apiKey, json: { code: pass.data.code } });
    expect((await scan()).status).toBe(200);
    return { proxy, server, tenant, pass: pass.data, scan, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** What the API answers while the database is out of reach. */
function expectOutOfReach(res: HttpAnswer) {
  expect(res.status).toBe(503);
  expect(res.body).toEqual({
    error: 'The database is out of reach for the moment; try again in a few seconds',
  });
  expect(res.headers.get('retry-after')).toBe('5');
}

describe.skipIf(!databaseUrl)('when the database goes away', () => {
  it('/healthz answers 503, the API a 500 without details, the pass page an HTML 500', async () => {
    const database = await createFreshDatabase(databaseUrl!, 'passgate_gone');
    const server = await startServer({ databaseUrl: database.url });
    try {
      const tenant = await createTenant({ server });
      const pass = await tenant.client.passes.create({ type: 'single' });
      if (!pass.ok) throw new Error(pass.error);
      expect((await http(`${server.url}/healthz`)).status).toBe(200);
      await database.drop();
      const health = await http(`${server.url}/healthz`);
      expect(health.status).toBe(503);
      expect(health.body).toEqual({ error: 'Database unreachable' });
      expect(health.headers.get('retry-after')).toBe('5');
      const me = await http(`${tenant.apiUrl}/me`, { key: tenant.apiKey });
      expect(me.status).toBe(500);
      expect(me.body).toEqual({ error: 'Internal server error' });
      // The holder gets a page, not the API's JSON.
      const page = await fetch(pass.data.publicUrl);
      expect(page.status).toBe(500);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('Something went wrong');
      // The log line travels through a pipe and may arrive just after the answer.
      await expect.poll(() => server.logs.join('')).toContain('unhandled error');
    } finally {
      await server.stop();
      await database.drop();
    }
  });

  it('while the database is out of reach: 503 with Retry-After, then served again', async () => {
    /** Long enough for a loaded machine to bring the scans to the lock; not a timing. */
    const UNTIL_WAITING = { timeout: 15_000 };
    // The scans must wait at the lock until the cut, however slow the machine: a query timeout
    // longer than the test.
    const { proxy, server, tenant, pass, scan, stop } = await passBehindProxy(http, {
      DATABASE_QUERY_TIMEOUT_MS: '120000',
    });
    try {
      // Open connections drop mid-way and new ones are refused, as when PostgreSQL restarts.
      // Scans are made to wait on the pass's row lock first, so that the cut finds connections
      // checked out of the pool, whose errors have no listener of their own: the server must live.
      const root = new pg.Client({ connectionString: databaseUrl });
      await root.connect();
      try {
        await root.query('BEGIN');
        await root.query('SELECT 1 FROM passes WHERE id = $1 FOR UPDATE', [pass.id]);
        const waiting = Promise.all([scan(), scan(), scan()]);
        await expect
          .poll(() => lockWaiters(root, `passgate ${server.process.pid}`), UNTIL_WAITING)
          .toBeGreaterThan(0);
        await proxy.cut();
        for (const res of await waiting) expect(res.status).toBe(503);
        expect(server.process.exitCode).toBe(null);
      } finally {
        await root.query('ROLLBACK');
        await root.end();
      }
      for (const res of [
        await scan(),
        await scan(),
        await http(`${tenant.apiUrl}/passes`, { key: tenant.apiKey }),
        await http(`${tenant.apiUrl}/passes`, { key: tenant.apiKey, json: { type: 'single' } }),
      ])
        expectOutOfReach(res);
      expect((await http(`${server.url}/healthz`)).status).toBe(503);
      const page = await fetch(pass.publicUrl);
      expect(page.status).toBe(503);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toMatch(/try again/i);

      await proxy.restore();
      await expect.poll(async () => (await scan()).status, { timeout: 10_000 }).toBe(200);
      expect((await http(`${server.url}/healthz`)).status).toBe(200);
      expect(server.logs.join('')).not.toContain('unhandled error');
    } finally {
      await stop();
    }
  });

  it('a scan that waits past the query timeout on a locked pass is answered 503, and never decided later', async () => {
    const { server, tenant, pass, stop } = await passBehindProxy(http, {
      DATABASE_QUERY_TIMEOUT_MS: '1000',
    });
    const root = new pg.Client({ connectionString: databaseUrl });
    await root.connect();
    const waitingOnLock = () => lockWaiters(root, `passgate ${server.process.pid}`);
    try {
      await root.query('BEGIN');
      await root.query('SELECT 1 FROM passes WHERE id = $1 FOR UPDATE', [pass.id]);
      // Sent without an Idempotency-Key: the statement commits by itself if it ever runs.
      const answer = await http(`${tenant.apiUrl}/scan`, {
        key: tenant.apiKey,
        json: { code: pass.code },
      });
      expectOutOfReach(answer);
      // PostgreSQL itself gave the statement up: nothing of it waits for the lock any more, so
      // nothing can be decided once the lock is free.
      await expect.poll(waitingOnLock, { timeout: 10_000 }).toBe(0);
      await root.query('ROLLBACK');
      const after = await tenant.client.passes.get(pass.id);
      if (!after.ok) throw new Error(after.error);
      expect(after.data.usagesCount).toBe(1);
    } finally {
      await root.end();
      await stop();
    }
  });

  it('while the database stalls (connections open, nothing comes back): 503, never a hang, then served again', async () => {
    /**
     * How long the test lets a request take before calling it hung. It stands for "never hangs":
     * the server's own bounds are a 1.5 s health check and a 5 s query timeout.
     */
    const bounded: typeof http = (url, init = {}) =>
      http(url, { ...init, signal: AbortSignal.timeout(20_000) });
    const { proxy, server, tenant, pass, scan, stop } = await passBehindProxy(bounded);
    try {
      proxy.stall();
      const health = await bounded(`${server.url}/healthz`);
      expect(health.status).toBe(503);
      expect(health.body).toEqual({ error: 'Database unreachable' });
      for (const res of await Promise.all([scan(), scan(), scan()])) expectOutOfReach(res);
      expectOutOfReach(await bounded(`${tenant.apiUrl}/passes`, { key: tenant.apiKey }));
      expect(server.process.exitCode).toBe(null);

      proxy.resume();
      await expect.poll(async () => (await scan()).status, { timeout: 30_000 }).toBe(200);
      expect((await bounded(`${server.url}/healthz`)).status).toBe(200);
      const after = await tenant.client.passes.get(pass.id);
      if (!after.ok) throw new Error(after.error);
      // The scans answered 503 were never decided: one admit before the stall, one after.
      expect(after.data.usagesCount).toBe(2);
      expect(server.logs.join('')).not.toContain('unhandled error');
    } finally {
      await stop();
    }
  });
});

describe.skipIf(!databaseUrl)('database connections', () => {
  it('are kept once opened, not closed 10 s after a burst, and named after their process', async () => {
    const server = await startServer({ databaseUrl: databaseUrl! });
    const root = new pg.Client({ connectionString: databaseUrl });
    await root.connect();
    const countOpen = async () => {
      const { rows } = await root.query(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
        [`passgate ${server.process.pid}`],
      );
      return rows[0].n as number;
    };
    try {
      const tenant = await createTenant({ server });
      await Promise.all(
        Array.from({ length: 12 }, () => http(`${tenant.apiUrl}/passes`, { key: tenant.apiKey })),
      );
      const afterBurst = await countOpen();
      expect(afterBurst).toBeGreaterThan(1);
      // pg's pools would have closed every idle connection by now (`idleTimeoutMillis`: 10 s).
      await new Promise((resolve) => setTimeout(resolve, 11_000));
      expect(await countOpen()).toBe(afterBurst);
    } finally {
      await root.end();
      await server.stop();
    }
  }, 30_000);
});
