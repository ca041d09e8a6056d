import { describe, expect, inject, it } from 'vitest';
import { startServer } from '../support/server';
import { startTcpProxy } from '../support/tcp-proxy';
import { createTenant, http } from '../support/tenant';

const databaseUrl = inject('databaseUrl');

/**
 * How long the test lets a request take before calling it hung. It stands for "never hangs": the
 * server's own bounds are a 1.5 s health check and a 5 s query timeout.
 */
const HUNG = 20_000;
const bounded = (url: string, init: Parameters<typeof http>[1] = {}) =>
  http(url, { ...init, signal: AbortSignal.timeout(HUNG) });

// PGlite runs in the server's own process: there is no connection to stall.
describe.skipIf(!databaseUrl)(
  'a database that stalls (connections open, nothing comes back)',
  () => {
    it('health checks and scans answer 503 instead of hanging, and all recovers by itself', async () => {
      const proxy = await startTcpProxy(databaseUrl!);
      const server = await startServer({ databaseUrl: proxy.url });
      try {
        const tenant = await createTenant({ server });
        const pass = await tenant.client.passes.create({ type: 'multi' });
        if (!pass.ok) throw new Error(pass.error);
        const scan = () =>
          bounded(`${tenant.apiUrl}/scan`, { key: tenant.apiKey, json: { code: pass.data.code } });
        expect((await scan()).status).toBe(200);

        proxy.stall();
        const health = await bounded(`${server.url}/healthz`);
        expect(health.status).toBe(503);
        expect(health.body).toEqual({ error: 'Database unreachable' });
        const scans = await Promise.all([scan(), scan(), scan()]);
        for (const res of scans) {
          expect(res.status).toBe(503);
          expect(res.body).toEqual({
            error: 'The database is out of reach for the moment; try again in a few seconds',
          });
          expect(res.headers.get('retry-after')).toBe('5');
        }
        const list = await bounded(`${tenant.apiUrl}/passes`, { key: tenant.apiKey });
        expect(list.status).toBe(503);
        expect(server.process.exitCode).toBe(null);

        proxy.resume();
        await expect.poll(async () => (await scan()).status, { timeout: 30_000 }).toBe(200);
        expect((await bounded(`${server.url}/healthz`)).status).toBe(200);
        const after = await tenant.client.passes.get(pass.data.id);
        if (!after.ok) throw new Error(after.error);
        // The scans answered 503 were never decided: one admit before the stall, one after.
        expect(after.data.usagesCount).toBe(2);
        expect(server.logs.join('')).not.toContain('unhandled error');
      } finally {
        await server.stop();
        await proxy.close();
      }
    });
  },
);
