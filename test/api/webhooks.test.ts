import http_ from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { migratedDataDir } from '../support/data-dir';
import { type ReceivedHook, startReceiver, verifySignature } from '../support/receiver';
import { startServer } from '../support/server';
import { createTenant, http, type TestTenant } from '../support/tenant';

// /webhooks has a budget of 10 requests a minute per key: each test uses a fresh tenant, and
// polls it about 8 times at most.
const POLL_SPARINGLY = { timeout: 3_500, interval: 500 };
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function receiver(...args: Parameters<typeof startReceiver>) {
  const r = await startReceiver(...args);
  closers.push(r.close);
  return r;
}

const subscribe = (tenant: TestTenant, event: string, targetUrl: string) =>
  http(`${tenant.apiUrl}/webhooks`, { key: tenant.apiKey, json: { event, targetUrl } });

const attempts = (tenant: TestTenant, webhookId: string) =>
  http(`${tenant.apiUrl}/webhooks/${webhookId}/deliveries`, { key: tenant.apiKey });

interface Attempt {
  attempt: number;
  eventId: string;
  statusCode: number | null;
  error: string | null;
  nextRetryAt: string | null;
}

/**
 * Reads a subscription's attempts, with a key of its own so the polling leaves the test's
 * budget alone, until `settled` holds. An attempt is recorded after its receiver answered, so
 * a log that has settled is the signal that nothing more is on its way.
 */
async function attemptsOnceSettled(
  tenant: TestTenant,
  webhookId: string,
  settled: (log: Attempt[]) => boolean,
): Promise<Attempt[]> {
  const { apiKey } = await tenant.createKey();
  let log: Attempt[] = [];
  await expect
    .poll(async () => {
      log = (await http(`${tenant.apiUrl}/webhooks/${webhookId}/deliveries`, { key: apiKey })).body;
      return settled(log);
    }, POLL_SPARINGLY)
    .toBe(true);
  return log;
}

describe('webhook subscriptions', () => {
  it('subscribes with the contract shape and a secret shown once, lists, and unsubscribes', async () => {
    const tenant = await createTenant();
    const created = await subscribe(tenant, 'pass.scanned', 'http://127.0.0.1:9/hook');
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^wh_/),
      event: 'pass.scanned',
      targetUrl: 'http://127.0.0.1:9/hook',
      active: true,
      createdAt: expect.any(String),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/=]{32}$/),
    });
    const list = await http(`${tenant.apiUrl}/webhooks`, { key: tenant.apiKey });
    const { secret: _secret, ...withoutSecret } = created.body;
    expect(list.body).toEqual([withoutSecret]);
    expect(list.headers.get('x-ratelimit-limit')).toBe('10');

    const other = await createTenant();
    const foreign = await http(`${other.apiUrl}/webhooks/${created.body.id}`, {
      method: 'DELETE',
      key: other.apiKey,
    });
    expect(foreign.status).toBe(404);
    // Nor may it read the subscription's delivery log, or see it listed.
    const foreignLog = await http(`${other.apiUrl}/webhooks/${created.body.id}/deliveries`, {
      key: other.apiKey,
    });
    expect(foreignLog.status).toBe(404);
    expect(foreignLog.body).toEqual({ error: 'Webhook not found' });
    expect((await http(`${other.apiUrl}/webhooks`, { key: other.apiKey })).body).toEqual([]);
    const removed = await http(`${tenant.apiUrl}/webhooks/${created.body.id}`, {
      method: 'DELETE',
      key: tenant.apiKey,
    });
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ success: true });
    expect(
      (
        await http(`${tenant.apiUrl}/webhooks/${created.body.id}`, {
          method: 'DELETE',
          key: tenant.apiKey,
        })
      ).status,
    ).toBe(404);
  });

  it('refuses bad input and answers 403 past the quota', async () => {
    const tenant = await createTenant();
    for (const [json, message] of [
      [{ event: 'pass.deleted', targetUrl: 'https://example.com/h' }, /event must be one of/],
      [{ event: 'pass.created' }, /^targetUrl: targetUrl is required$/],
      [
        { event: 'pass.created', targetUrl: `https://example.com/${'x'.repeat(2000)}` },
        /^targetUrl: targetUrl must be at most 2000 characters$/,
      ],
      [{ event: 'pass.created', targetUrl: 'not a url' }, /absolute URL/],
      [{ event: 'pass.created', targetUrl: 'ftp://example.com/h' }, /https/],
    ] as const) {
      const res = await http(`${tenant.apiUrl}/webhooks`, { key: tenant.apiKey, json });
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect(res.body.error).toMatch(message);
    }
    const small = await createTenant({ webhookQuota: 2 });
    const answers = [];
    for (let i = 0; i < 3; i++)
      answers.push(await subscribe(small, 'pass.created', `http://127.0.0.1:9/${i}`));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 403]);
    expect(answers[2]!.body.error).toMatch(/Webhook quota reached/);
  });
});

describe('webhook delivery', () => {
  it('delivers every event type as {id, event, createdAt, data}, signed (verified independently)', async () => {
    const tenant = await createTenant();
    const hooks = await receiver();
    const secrets: Record<string, string> = {};
    const webhookIds: string[] = [];
    for (const event of ['pass.created', 'pass.scanned', 'pass.status_changed', 'client.created']) {
      const res = await subscribe(tenant, event, hooks.url);
      secrets[event] = res.body.secret;
      webhookIds.push(res.body.id);
    }
    const pass = await tenant.client.passes.create({
      type: 'single',
      name: 'Hooked',
      clientName: 'Hook Holder',
    });
    if (!pass.ok) throw new Error(pass.error);
    const scan = await tenant.client.scan({ code: pass.data.code, device: 'door-2' });
    if (!scan.ok) throw new Error(scan.error);

    const received = await hooks.waitFor((h) => h.length >= 4);
    // Each delivery's attempt is recorded, so it is settled and will not be sent again. The
    // logs are read with a key each: /webhooks allows 10 requests a minute per key.
    await Promise.all(
      webhookIds.map(async (id) => {
        const reader = await tenant.createKey();
        await expect
          .poll(
            async () =>
              (await http(`${tenant.apiUrl}/webhooks/${id}/deliveries`, { key: reader.apiKey }))
                .body.length,
            POLL_SPARINGLY,
          )
          .toBe(1);
      }),
    );
    expect(received).toHaveLength(4);
    const byEvent: Record<string, ReceivedHook> = Object.fromEntries(
      received.map((hook) => [hook.json.event, hook]),
    );
    expect(Object.keys(byEvent).sort()).toEqual([
      'client.created',
      'pass.created',
      'pass.scanned',
      'pass.status_changed',
    ]);
    for (const [event, hook] of Object.entries(byEvent)) {
      expect(Object.keys(hook.json).sort(), event).toEqual(['createdAt', 'data', 'event', 'id']);
      expect(hook.json.id).toMatch(/^evt_/);
      expect(hook.headers['webhook-id']).toBe(hook.json.id);
      expect(hook.headers['content-type']).toBe('application/json');
      expect(verifySignature(secrets[event]!, hook), event).toBe(true);
      expect(
        verifySignature(
          secrets[event === 'pass.created' ? 'client.created' : 'pass.created']!,
          hook,
        ),
      ).toBe(false);
    }
    expect(byEvent['pass.created']!.json.data).toMatchObject({
      id: pass.data.id,
      code: pass.data.code,
      name: 'Hooked',
      clientName: 'Hook Holder',
    });
    expect(byEvent['client.created']!.json.data).toMatchObject({
      name: 'Hook Holder',
      id: expect.stringMatching(/^cli_/),
    });
    expect(byEvent['pass.scanned']!.json.data).toMatchObject({
      id: scan.data.scan.id,
      passId: pass.data.id,
      result: 'success',
      device: 'door-2',
    });
    expect(byEvent['pass.status_changed']!.json.data).toMatchObject({
      id: pass.data.id,
      from: 'active',
      to: 'used',
    });
    // Fields in reading order, as GET /triggers gives them (jsonb stores them sorted by length).
    expect(Object.keys(byEvent['client.created']!.json.data)).toEqual([
      'id',
      'name',
      'email',
      'phone',
      'notes',
      'createdAt',
    ]);
  });

  it('retries a failing receiver on the schedule and records every attempt', async () => {
    const tenant = await createTenant();
    const hooks = await receiver((n) => ({ status: n < 2 ? 500 : 204 }));
    const hook = await subscribe(tenant, 'client.created', hooks.url);
    await tenant.client.clients.create({ name: 'Retry Me' });
    const received = await hooks.waitFor((h) => h.length >= 3);
    expect(new Set(received.map((h) => h.headers['webhook-id'])).size).toBe(1);
    // The test schedule waits a second between attempts.
    expect(received[1]!.at - received[0]!.at).toBeGreaterThanOrEqual(900);
    const log = await attemptsOnceSettled(tenant, hook.body.id, (l) => l[0]?.statusCode === 204);
    expect(hooks.received).toHaveLength(3);
    expect(log.map((a) => [a.attempt, a.statusCode])).toEqual([
      [3, 204],
      [2, 500],
      [1, 500],
    ]);
    expect(log[0]).toMatchObject({ event: 'client.created', error: null, nextRetryAt: null });
    expect(log[1]).toMatchObject({ error: 'HTTP 500', nextRetryAt: expect.any(String) });
    // Every attempt can be read, a page at a time, however many there are.
    const second = await http(
      `${tenant.apiUrl}/webhooks/${hook.body.id}/deliveries?limit=1&page=2`,
      {
        key: tenant.apiKey,
      },
    );
    expect(second.body.map((a: { attempt: number }) => a.attempt)).toEqual([2]);
    expect(second.headers.get('x-total-count')).toBe('3');
    expect(second.headers.get('link')).toContain(
      `/webhooks/${hook.body.id}/deliveries?page=3&limit=1>; rel="next"`,
    );
  });

  it('gives up after the schedule, and treats a redirect as a failure', async () => {
    const tenant = await createTenant();
    const hooks = await receiver(() => ({
      status: 302,
      headers: { location: 'https://example.com/' },
    }));
    const hook = await subscribe(tenant, 'client.created', hooks.url);
    await tenant.client.clients.create({ name: 'Never Lands' });
    await hooks.waitFor((h) => h.length >= 4);
    // At once, then the three retries of the test schedule: four attempts in all, and the last
    // one says there is no next.
    const log = await attemptsOnceSettled(tenant, hook.body.id, (l) => l[0]?.attempt === 4);
    expect(log[0]).toMatchObject({ attempt: 4, statusCode: 302, nextRetryAt: null });
    expect(hooks.received).toHaveLength(4);
  });

  it('resends a failed delivery once when asked, and only a failed one', async () => {
    const tenant = await createTenant();
    // Fails the first delivery and its three retries, then takes what comes.
    const hooks = await receiver((n) => ({ status: n < 4 ? 500 : 204 }));
    const hook = await subscribe(tenant, 'client.created', hooks.url);
    await tenant.client.clients.create({ name: 'Second Chance' });
    await hooks.waitFor((h) => h.length >= 4);
    const [failed] = await attemptsOnceSettled(tenant, hook.body.id, (l) => l[0]?.attempt === 4);
    expect(failed).toMatchObject({ attempt: 4, statusCode: 500, nextRetryAt: null });
    const { eventId } = failed!;
    const retryUrl = `${tenant.apiUrl}/webhooks/${hook.body.id}/deliveries/${eventId}/retry`;
    const retried = await http(retryUrl, { key: tenant.apiKey, method: 'POST' });
    expect(retried.status).toBe(202);
    expect(retried.body).toEqual({ success: true });
    // Pending (or delivered) now: it has not failed, so it is not sent twice.
    const again = await http(retryUrl, { key: tenant.apiKey, method: 'POST' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatch(/Only a failed delivery/);
    const [, , , , resent] = await hooks.waitFor((h) => h.length >= 5);
    expect(resent?.headers['webhook-id']).toBe(eventId);
    const log = await attemptsOnceSettled(tenant, hook.body.id, (l) => l[0]?.attempt === 5);
    expect(log[0]).toMatchObject({ attempt: 5, statusCode: 204, eventId });
    const unknown = await http(
      `${tenant.apiUrl}/webhooks/${hook.body.id}/deliveries/evt_none/retry`,
      { key: tenant.apiKey, method: 'POST' },
    );
    expect(unknown.status).toBe(404);
  });

  it('sends a signed test event to one subscription alone, logged like any other', async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    const [tested, bystander] = [await receiver(), await receiver()];
    const hook = await subscribe(tenant, 'pass.scanned', tested.url);
    await subscribe(tenant, 'pass.scanned', bystander.url);
    const sent = await http(`${tenant.apiUrl}/webhooks/${hook.body.id}/test`, {
      key: tenant.apiKey,
      method: 'POST',
    });
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({ eventId: expect.stringMatching(/^evt_/) });
    const [received] = await tested.waitFor((h) => h.length >= 1);
    expect(verifySignature(hook.body.secret, received!)).toBe(true);
    expect(received!.json).toEqual({
      id: sent.body.eventId,
      event: 'webhook.test',
      createdAt: expect.any(String),
      data: {
        webhookId: hook.body.id,
        subscribedTo: 'pass.scanned',
        message: expect.stringMatching(/^A test event from Passgate/),
      },
    });
    await expect
      .poll(async () => (await attempts(tenant, hook.body.id)).body[0], POLL_SPARINGLY)
      .toMatchObject({ eventId: sent.body.eventId, event: 'webhook.test', statusCode: 200 });
    // Only that subscription got it: a real event, sent after it, reaches the other first.
    const pass = await tenant.newPass({ name: 'After the test' });
    await http(`${tenant.apiUrl}/scan`, { key: tenant.apiKey, json: { code: pass.code } });
    const seen = await bystander.waitFor((h) => h.length >= 1);
    expect(seen.map((h) => h.json.event)).toEqual(['pass.scanned']);
    // And the triggers never list it.
    const triggers = await http(`${tenant.apiUrl}/triggers?event=pass.scanned`, {
      key: tenant.apiKey,
    });
    expect(triggers.body.map((item: { code: string }) => item.code)).toEqual([pass.code]);
    const foreign = await http(`${other.apiUrl}/webhooks/${hook.body.id}/test`, {
      key: other.apiKey,
      method: 'POST',
    });
    expect(foreign.status).toBe(404);
  });

  it('records why a receiver could not be reached', async () => {
    const tenant = await createTenant();
    const closed = await receiver();
    await closed.close();
    const hook = await subscribe(tenant, 'client.created', closed.url);
    await tenant.client.clients.create({ name: 'Nobody Home' });
    const log = await vi.waitUntil(async () => {
      const found = await attempts(tenant, hook.body.id);
      return found.body.length > 0 && found;
    }, POLL_SPARINGLY);
    expect(log.body[0]).toMatchObject({
      attempt: 1,
      statusCode: null,
      error: expect.stringMatching(/ECONNREFUSED/),
    });
  });

  it('sends again at once, in the same attempt, on a kept-alive connection the receiver closed', async () => {
    const tenant = await createTenant();
    // Each connection's second request is dropped unanswered: what a receiver closing an idle
    // connection at the moment a delivery is written to it looks like to the sender.
    const perSocket = new WeakMap<object, number>();
    const bodies: string[] = [];
    const dropping = http_.createServer((req, res) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      if (n > 1) {
        req.socket.destroy();
        return;
      }
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        bodies.push(body);
        res.end();
      });
    });
    await new Promise<void>((resolve) => dropping.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => dropping.close(resolve)));
    const { port } = dropping.address() as AddressInfo;
    const hook = await subscribe(tenant, 'client.created', `http://127.0.0.1:${port}/hook`);
    await tenant.client.clients.create({ name: 'First' });
    await vi.waitUntil(() => bodies.length === 1, POLL_SPARINGLY);
    await tenant.client.clients.create({ name: 'Second' });
    await vi.waitUntil(() => bodies.length === 2, POLL_SPARINGLY);
    const log = await vi.waitUntil(async () => {
      const found = await attempts(tenant, hook.body.id);
      return found.body.length === 2 && found;
    }, POLL_SPARINGLY);
    expect(
      log.body.map((a: { attempt: number; statusCode: number }) => [a.attempt, a.statusCode]),
    ).toEqual([
      [1, 200],
      [1, 200],
    ]);
  });

  it('deactivates a subscription that answers 410 Gone', async () => {
    const tenant = await createTenant();
    const hooks = await receiver(() => ({ status: 410 }));
    const hook = await subscribe(tenant, 'client.created', hooks.url);
    await tenant.client.clients.create({ name: 'Gone 1' });
    await hooks.waitFor((h) => h.length >= 1);
    const list = () => http(`${tenant.apiUrl}/webhooks`, { key: tenant.apiKey });
    await expect
      .poll(async () => (await list()).body[0]?.active, {
        ...POLL_SPARINGLY,
        message: 'the subscription is deactivated',
      })
      .toBe(false);
    // A subscription still active is the signal that the next event has gone out.
    const witness = await receiver();
    await subscribe(tenant, 'client.created', witness.url);
    await tenant.client.clients.create({ name: 'Gone 2' });
    const [seen] = await witness.waitFor((h) => h.length >= 1);
    expect(seen?.json).toMatchObject({ data: { name: 'Gone 2' } });
    expect(hooks.received).toHaveLength(1);
    expect((await attempts(tenant, hook.body.id)).body).toHaveLength(1);
    expect((await list()).body).toContainEqual(
      expect.objectContaining({ id: hook.body.id, active: false }),
    );
  });

  it('times out a receiver that hangs, and retries it', async () => {
    const tenant = await createTenant();
    const hooks = await receiver((n) => (n === 0 ? 'hang' : { status: 200 }));
    const hook = await subscribe(tenant, 'client.created', hooks.url);
    await tenant.client.clients.create({ name: 'Slow Poke' });
    await hooks.waitFor((h) => h.length >= 2);
    const log = await attemptsOnceSettled(tenant, hook.body.id, (l) => l.length === 2);
    expect(log.map((a) => [a.statusCode, a.error])).toEqual([
      [200, null],
      [null, 'no answer within 1500 ms'],
    ]);
  });

  it('honours Retry-After on 429 and 503', async () => {
    const tenant = await createTenant();
    const hooks = await receiver((n) =>
      n === 0 ? { status: 503, headers: { 'retry-after': '3' } } : { status: 200 },
    );
    await subscribe(tenant, 'client.created', hooks.url);
    await tenant.client.clients.create({ name: 'Later Please' });
    const received = await hooks.waitFor((h) => h.length >= 2);
    expect(received[1]!.at - received[0]!.at).toBeGreaterThanOrEqual(2900);
  });
});

describe('webhook targets must be public HTTPS unless WEBHOOK_ALLOW_PRIVATE=1', () => {
  it('refuses private, loopback, link-local and plain-HTTP targets, at subscribe time and at delivery time', async () => {
    const dataDir = migratedDataDir();
    const open = await startServer({ dataDir });
    const tenant = await createTenant({ server: open });
    const hooks = await receiver();
    const hook = await subscribe(tenant, 'client.created', hooks.url);
    expect(hook.status).toBe(201);
    await open.stop();

    // The same database under a strict server: what was allowed before is refused now.
    const strict = await startServer({ dataDir, env: { WEBHOOK_ALLOW_PRIVATE: '0' } });
    closers.push(() => strict.stop());
    const strictTenant = { ...tenant, server: strict, apiUrl: `${strict.url}/api/v1` };
    for (const [targetUrl, message] of [
      ['http://example.com/hook', /https/],
      ['https://127.0.0.1/hook', /^targetUrl is not a public address$/],
      // A name's resolved address is never echoed: that would map the server's network.
      ['https://localhost/hook', /^targetUrl is not a public address$/],
      ['https://[::1]/hook', /^targetUrl is not a public address$/],
      ['https://10.1.2.3/hook', /^targetUrl is not a public address$/],
      ['https://169.254.169.254/latest/meta-data', /^targetUrl is not a public address$/],
      ['https://[::127.0.0.1]/hook', /^targetUrl is not a public address$/],
      ['https://[::7f00:1]/hook', /^targetUrl is not a public address$/],
      ['https://[::a9fe:a9fe]/hook', /^targetUrl is not a public address$/],
      ['https://user:pw@example.com/hook', /credentials/],
    ] as const) {
      const res = await subscribe(strictTenant, 'pass.created', targetUrl);
      expect(res.status, targetUrl).toBe(400);
      expect(res.body.error).toMatch(message);
    }
    const created = await http(`${strictTenant.apiUrl}/clients`, {
      key: tenant.apiKey,
      json: { name: 'Not Sent' },
    });
    expect(created.status).toBe(201);
    // The strict server's attempt is the signal that the delivery was tried, and refused. The
    // subscriptions above spent this key's webhook budget: the log is read with another key.
    const reader = await tenant.createKey();
    const log = () =>
      http(`${strictTenant.apiUrl}/webhooks/${hook.body.id}/deliveries`, { key: reader.apiKey });
    await expect.poll(async () => (await log()).body.length, POLL_SPARINGLY).toBeGreaterThan(0);
    expect(hooks.received).toHaveLength(0);
    expect((await log()).body[0].error).toMatch(/https/);
  });
});
