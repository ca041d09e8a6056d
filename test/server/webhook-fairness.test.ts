import { describe, expect, inject, it } from 'vitest';
import { migratedDataDir } from '../support/data-dir';
import { createFreshDatabase } from '../support/database';
import { startReceiver } from '../support/receiver';
import { startServer } from '../support/server';
import { createTenant, http, type TestTenant } from '../support/tenant';

const databaseUrl = inject('databaseUrl');

const subscribe = async (tenant: TestTenant, targetUrl: string) => {
  const res = await http(`${tenant.apiUrl}/webhooks`, {
    key: tenant.apiKey,
    json: { event: 'pass.created', targetUrl },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
};

describe('webhook delivery is fair between tenants', () => {
  it("one tenant's receivers that never answer do not hold up another tenant's delivery", async () => {
    // A database of the test's own: no other server may send these deliveries. On PostgreSQL
    // two instances share the work, and the tenant's share must hold across them.
    const database = databaseUrl
      ? await createFreshDatabase(databaseUrl, 'passgate_fair')
      : undefined;
    const where = database ? { databaseUrl: database.url } : { dataDir: migratedDataDir() };
    const servers = await Promise.all(
      (database ? ['one', 'two'] : ['one']).map(() =>
        // Longer than the test: a hung delivery stays hung until the end.
        startServer({ ...where, env: { WEBHOOK_TIMEOUT_MS: '120000' } }),
      ),
    );
    const server = servers[0]!;
    const hung = await startReceiver(() => 'hang');
    const healthy = await startReceiver();
    try {
      const noisy = await createTenant({ server });
      const noisyHooks = [await subscribe(noisy, hung.url), await subscribe(noisy, hung.url)];
      for (let i = 0; i < 20; i++) {
        const pass = await noisy.client.passes.create({ type: 'single', name: `Noisy ${i}` });
        if (!pass.ok) throw new Error(pass.error);
      }
      // Forty deliveries are due; the worker has taken the tenant's share of them.
      await hung.waitFor((hooks) => hooks.length >= 1);

      const quiet = await createTenant({ server });
      await subscribe(quiet, healthy.url);
      const pass = await quiet.client.passes.create({ type: 'single', name: 'Quiet' });
      if (!pass.ok) throw new Error(pass.error);
      const [delivered] = await healthy.waitFor((hooks) => hooks.length === 1);
      expect(delivered!.json.data.id).toBe(pass.data.id);

      // It went out while every one of the noisy tenant's deliveries was still unanswered, and
      // the noisy tenant never had more than its share on the way.
      expect(hung.received.length).toBeGreaterThan(0);
      expect(hung.received.length).toBeLessThanOrEqual(4);
      for (const id of noisyHooks) {
        const log = await http(`${noisy.apiUrl}/webhooks/${id}/deliveries`, { key: noisy.apiKey });
        expect(log.body).toEqual([]);
      }
    } finally {
      await hung.close();
      await healthy.close();
      await Promise.all(servers.map((running) => running.stop()));
      await database?.drop();
    }
  });
});
