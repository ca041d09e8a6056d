import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { migratedDataDir } from '../support/data-dir';
import { startReceiver } from '../support/receiver';
import { serversOfThisFile } from '../support/servers-of-a-file';
import { createTenant, http } from '../support/tenant';

const databaseUrl = inject('databaseUrl');
const server = serversOfThisFile();

describe('webhooks survive a crash', () => {
  it('delivers every committed scan’s event at least once after SIGKILL, and invents none', async () => {
    const where = databaseUrl ? { databaseUrl } : { dataDir: migratedDataDir() };
    const first = await server(where);
    const tenant = await createTenant({ server: first });
    const hooks = await startReceiver();
    try {
      const hook = await http(`${tenant.apiUrl}/webhooks`, {
        key: tenant.apiKey,
        json: { event: 'pass.scanned', targetUrl: hooks.url },
      });
      expect(hook.status).toBe(201);
      const pass = await tenant.client.passes.create({ type: 'multi' });
      if (!pass.ok) throw new Error(pass.error);

      // Scans keep coming, eight at a time, until the process is killed under them, a while
      // after the first answers. They stop at 99 in all, so that one poll of 100 sees every
      // committed scan however fast this machine is.
      const answered: string[] = [];
      let started = 0;
      let killed = false;
      const doors = Array.from({ length: 8 }, async () => {
        while (!killed && started < 99) {
          started++;
          const res = await http(`${first.url}/api/v1/scan`, {
            key: tenant.apiKey,
            json: { code: pass.data.code },
          }).catch(() => undefined);
          if (res?.status === 200) answered.push(res.body.scan.id);
        }
      });
      await expect
        .poll(() => answered.length, { timeout: 30_000, interval: 5, message: 'answered scans' })
        .toBeGreaterThanOrEqual(40);
      await first.kill();
      killed = true;
      await Promise.all(doors);
      expect(answered.length).toBeGreaterThan(0);

      const second = await server(where);
      const polled = await http(`${second.url}/api/v1/triggers?event=pass.scanned&limit=100`, {
        key: tenant.apiKey,
      });
      const committed: string[] = polled.body.map((item: { id: string }) => item.id);
      expect(committed.length).toBeLessThanOrEqual(started);
      // Every answered scan was committed (and so has its event) ...
      for (const id of answered) expect(committed).toContain(id);
      // ... and every committed scan's event reaches the receiver, none that was not committed.
      await hooks.waitFor(
        (received) => committed.every((id) => received.some((h) => h.json.data.id === id)),
        30_000,
      );
      for (const hook of hooks.received) expect(committed).toContain(hook.json.data.id);
    } finally {
      await hooks.close();
    }
  });
});

describe.skipIf(!databaseUrl)('two server instances on one PostgreSQL', () => {
  it('send each message once in the normal case', async () => {
    const other = await server({ databaseUrl });
    const tenant = await createTenant();
    const hooks = await startReceiver();
    try {
      const hook = await http(`${tenant.apiUrl}/webhooks`, {
        key: tenant.apiKey,
        json: { event: 'client.created', targetUrl: hooks.url },
      });
      const urls = [tenant.apiUrl, `${other.url}/api/v1`];
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          http(`${urls[i % 2]}/clients`, { key: tenant.apiKey, json: { name: `Twin ${i}` } }),
        ),
      );
      await hooks.waitFor(
        (received) => new Set(received.map((h) => h.headers['webhook-id'])).size === 30,
      );
      // Every delivery is settled as delivered: no instance will send any of them again.
      const settled = async () => {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        try {
          const { rows } = await client.query(
            `SELECT count(*)::int AS n FROM webhook_deliveries
              WHERE webhook_id = $1 AND state = 'delivered' AND locked_until IS NULL`,
            [hook.body.id],
          );
          return rows[0].n as number;
        } finally {
          await client.end();
        }
      };
      await expect.poll(settled, { timeout: 20_000 }).toBe(30);
      expect(hooks.received).toHaveLength(30);
    } finally {
      await hooks.close();
    }
  });
});

describe.skipIf(!databaseUrl)('a delivery lease', () => {
  it('is short, and renewed while the receiver takes its time', async () => {
    const own = await server({ databaseUrl, env: { WEBHOOK_TIMEOUT_MS: '20000' } });
    const tenant = await createTenant({ server: own });
    const hooks = await startReceiver(() => 'hang');
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const hook = await http(`${tenant.apiUrl}/webhooks`, {
        key: tenant.apiKey,
        json: { event: 'client.created', targetUrl: hooks.url },
      });
      await tenant.client.clients.create({ name: 'Slow to answer' });
      await hooks.waitFor((received) => received.length === 1);
      const leaseEnd = async () => {
        const { rows } = await db.query(
          'SELECT locked_until, now() AS now FROM webhook_deliveries WHERE webhook_id = $1',
          [hook.body.id],
        );
        return rows[0] as { locked_until: Date; now: Date };
      };
      const first = await leaseEnd();
      // Far shorter than the receiver's 20 s to answer: a dead sender frees it within seconds.
      expect(first.locked_until.getTime() - first.now.getTime()).toBeLessThanOrEqual(6_000);
      await expect
        .poll(async () => (await leaseEnd()).locked_until.getTime(), { timeout: 10_000 })
        .toBeGreaterThan(first.locked_until.getTime());
    } finally {
      await db.end();
      await hooks.close();
    }
  });
});
