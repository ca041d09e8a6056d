import { beforeAll, describe, expect, it } from 'vitest';
import { PASS_LIST_ITEM_FIELDS } from '../support/contract';
import { createTenant, http, type TestTenant } from '../support/tenant';

// /triggers has the 10-requests-a-minute budget, so each test polls with few calls.
let tenant: TestTenant;
let passId: string;
let passCode: string;
let clientId: string;

const poll = (t: TestTenant, query: string) =>
  http(`${t.server.url}/api/v1/triggers?${query}`, { key: t.apiKey });

beforeAll(async () => {
  tenant = await createTenant();
  const pass = await tenant.client.passes.create({
    type: 'single',
    name: 'Gala',
    clientName: 'Zed Zapier',
  });
  if (!pass.ok) throw new Error(pass.error);
  passId = pass.data.id;
  passCode = pass.data.code;
  await tenant.client.scan({ code: passCode, device: 'door-9' }); // success: used (a status change)
  await tenant.client.scan({ code: passCode }); // already_used
  await tenant.client.passes.activate(passId); // used → active
  await tenant.client.passes.revoke(passId); // active → revoked
  const client = await tenant.client.clients.create({ name: 'Ann', email: 'ann@example.com' });
  if (!client.ok) throw new Error(client.error);
  clientId = client.data.id;
});

describe('GET /triggers', () => {
  it('pass.created: the list item plus the client’s contact fields', async () => {
    const res = await poll(tenant, 'event=pass.created');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit')).toBe('10');
    expect(res.headers.get('ratelimit-policy')).toBe('"webhooks";q=10;w=60');
    expect(res.body).toHaveLength(1);
    expect(res.body[0]).toMatchObject({
      id: passId,
      code: passCode,
      name: 'Gala',
      type: 'single',
      status: 'active',
      client: { name: 'Zed Zapier', email: null },
      clientName: 'Zed Zapier',
      clientEmail: null,
      clientPhone: null,
      publicUrl: expect.stringContaining(`/p/${passCode}?token=`),
      createdAt: expect.any(String),
    });
    // In the contract's order, which Zapier shows its sample fields in (jsonb sorts keys by
    // length), with the client's contact fields after the client.
    const fields: string[] = [...PASS_LIST_ITEM_FIELDS];
    fields.splice(fields.indexOf('client') + 1, 0, 'clientName', 'clientEmail', 'clientPhone');
    expect(Object.keys(res.body[0])).toEqual(fields);
  });

  it('pass.scanned: a flat scan record per attempt, newest first', async () => {
    const res = await poll(tenant, 'event=pass.scanned');
    expect(res.body.map((s: { result: string }) => s.result)).toEqual(['already_used', 'success']);
    const [, admitted] = res.body;
    expect(admitted).toMatchObject({
      passId,
      code: passCode,
      name: 'Gala',
      success: true,
      device: 'door-9',
      scannedAt: expect.any(String),
    });
    expect(admitted.id).toMatch(/^scan_/);
    expect(Object.keys(admitted).slice(0, 8)).toEqual([
      'id',
      'passId',
      'code',
      'name',
      'type',
      'result',
      'success',
      'status',
    ]);
    expect(res.body[0].id).not.toBe(admitted.id);
  });

  it('pass.status_changed: one item per change, keyed by the change event, with from and to', async () => {
    const res = await poll(tenant, 'event=pass.status_changed');
    expect(res.body.map((c: { from: string; to: string }) => `${c.from}→${c.to}`)).toEqual([
      'active→revoked',
      'used→active',
      'active→used',
    ]);
    const ids = res.body.map((c: { id: string }) => c.id);
    expect(new Set(ids).size).toBe(3);
    for (const item of res.body) {
      expect(item.id).toMatch(/^evt_/);
      expect(item.passId).toBe(passId);
      expect(item.changedAt).toEqual(expect.any(String));
      expect(item.status).toBe(item.to);
    }
    // The scan writes its change event in SQL; activate and revoke write theirs in TypeScript.
    // The two must be indistinguishable to a subscriber.
    const [, activated, used] = res.body;
    expect(Object.keys(used).sort()).toEqual(Object.keys(activated).sort());
    const unchanged = ['code', 'name', 'type', 'maxUsages', 'validFrom', 'validUntil'];
    for (const field of [...unchanged, 'client', 'publicUrl', 'createdAt']) {
      expect(used[field], field).toEqual(activated[field]);
    }
    expect(used).toMatchObject({ status: 'used', usagesCount: 1, from: 'active', to: 'used' });
    expect(used.changedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('client.created: the client record, for clients made directly and through clientName', async () => {
    const res = await poll(tenant, 'event=client.created');
    expect(res.body.map((c: { name: string }) => c.name)).toEqual(['Ann', 'Zed Zapier']);
    expect(res.body[0]).toEqual({
      id: clientId,
      name: 'Ann',
      email: 'ann@example.com',
      phone: null,
      notes: null,
      createdAt: expect.any(String),
    });
  });

  it('honours since and limit, and refuses bad parameters with 400', async () => {
    const limited = await poll(tenant, 'event=pass.status_changed&limit=1');
    expect(limited.body).toHaveLength(1);
    expect(limited.body[0].to).toBe('revoked');
    const future = await poll(
      tenant,
      `event=pass.scanned&since=${new Date(Date.now() + 60_000).toISOString()}`,
    );
    expect(future.body).toEqual([]);
    for (const query of [
      'event=pass.deleted',
      'limit=5',
      'event=pass.created&limit=101',
      'event=pass.created&since=yesterday',
    ]) {
      const res = await poll(tenant, query);
      expect(res.status, query).toBe(400);
      expect(res.body.error).toBeTypeOf('string');
    }
  });
});

describe('GET /triggers isolation and limits', () => {
  it('shows a tenant only its own events, and allows 10 polls a minute', async () => {
    const other = await createTenant();
    const answers = [];
    for (let i = 0; i < 11; i++) answers.push(await poll(other, 'event=pass.created'));
    expect(answers[0]!.body).toEqual([]);
    expect(answers.slice(0, 10).every((a) => a.status === 200)).toBe(true);
    expect(answers[10]!.status).toBe(429);
    expect(answers[10]!.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
