import { beforeAll, describe, expect, it } from 'vitest';
import { admin } from '../support/admin';
import { PASS_LIST_ITEM_FIELDS } from '../support/contract';
import { createTenant, http, importGuests, type TestTenant } from '../support/tenant';
import { UNTIL_KEY_CHANGE_HEARD } from '../support/wait';

let tenant: TestTenant;
let other: TestTenant;

beforeAll(async () => {
  [tenant, other] = await Promise.all([createTenant(), createTenant()]);
});

describe('POST /passes/:passId/activate and /revoke', () => {
  it('revokes, refuses to revoke twice, activates, refuses to activate twice', async () => {
    const created = await tenant.client.passes.create({ type: 'single', name: 'Door' });
    if (!created.ok) throw new Error(created.error);
    const path = `${tenant.apiUrl}/passes/${created.data.id}`;
    const revoked = await http(`${path}/revoke`, { method: 'POST', key: tenant.apiKey });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({
      id: created.data.id,
      code: created.data.code,
      name: 'Door',
      status: 'revoked',
    });
    const again = await http(`${path}/revoke`, { method: 'POST', key: tenant.apiKey });
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('Pass is already revoked');
    const activated = await http(`${path}/activate`, { method: 'POST', key: tenant.apiKey });
    expect(activated.body.status).toBe('active');
    const twice = await http(`${path}/activate`, { method: 'POST', key: tenant.apiKey });
    expect(twice.status).toBe(400);
  });

  it('activating a pass that reads used or expired says what would let it in again', async () => {
    const activate = (id: string) =>
      http(`${tenant.apiUrl}/passes/${id}/activate`, { method: 'POST', key: tenant.apiKey });
    const spent = await tenant.client.passes.create({ type: 'multi', maxUsages: 1 });
    if (!spent.ok) throw new Error(spent.error);
    await tenant.client.scan({ code: spent.data.code });
    const usedUp = await activate(spent.data.id);
    expect(usedUp.status).toBe(400);
    expect(usedUp.body.error).toBe(
      'Pass is already active; it reads used because its usagesCount reached maxUsages: PATCH maxUsages to let it in again',
    );
    const lapsed = await tenant.client.passes.create({
      type: 'single',
      validUntil: '2001-01-01T00:00:00Z',
    });
    if (!lapsed.ok) throw new Error(lapsed.error);
    const expired = await activate(lapsed.data.id);
    expect(expired.status).toBe(400);
    expect(expired.body.error).toBe(
      'Pass is already active; it reads expired because its validUntil has passed: PATCH validUntil to let it in again',
    );
    // Nothing was written.
    const untouched = await http(`${tenant.apiUrl}/passes/${lapsed.data.id}`, {
      key: tenant.apiKey,
    });
    expect(untouched.body.updatedAt).toBe(lapsed.data.createdAt);
  });
});

describe('GET /passes', () => {
  let fresh: TestTenant;
  beforeAll(async () => {
    fresh = await createTenant();
    // Created one by one so that creation order is certain.
    for (const [i, body] of [
      { type: 'single', name: 'Alpha Concert' },
      { type: 'single', name: 'Beta 50% off' },
      { type: 'multi', name: 'Gamma gym', maxUsages: 1 },
      { type: 'single', name: 'Delta expired', validUntil: '2001-01-01T00:00:00Z' },
      { type: 'single', name: 'Epsilon revoked' },
    ].entries()) {
      const res = await fresh.client.passes.create(body as never);
      if (!res.ok) throw new Error(`${i}: ${res.error}`);
      if (body.name === 'Epsilon revoked') await fresh.client.passes.revoke(res.data.id);
      if (body.name === 'Gamma gym') await fresh.client.scan({ code: res.data.code });
    }
  });

  it('lists newest first with the contract item shape and pagination headers', async () => {
    const res = await http(`${fresh.server.url}/api/v1/passes?limit=2`, { key: fresh.apiKey });
    expect(res.status).toBe(200);
    expect(res.body.map((p: { name: string }) => p.name)).toEqual([
      'Epsilon revoked',
      'Delta expired',
    ]);
    expect(Object.keys(res.body[0]).sort()).toEqual([...PASS_LIST_ITEM_FIELDS].sort());
    expect(res.headers.get('x-total-count')).toBe('5');
    expect(res.headers.get('x-total-count-estimated')).toBe(null);
    const link = res.headers.get('link')!;
    expect(link).toMatch(/\?cursor=k1\.pass_\w+&limit=2>; rel="next"/);
    expect(link).toContain('page=3&limit=2>; rel="last"');
    expect(link).not.toContain('rel="prev"');
    const page3 = await http(`${fresh.server.url}/api/v1/passes?limit=2&page=3`, {
      key: fresh.apiKey,
    });
    expect(page3.body.map((p: { name: string }) => p.name)).toEqual(['Alpha Concert']);
    expect(page3.headers.get('link')).toContain('page=2&limit=2>; rel="prev"');
    expect(page3.headers.get('link')).not.toContain('rel="next"');
  });

  it('follows next by cursor through every page, keeping the filter', async () => {
    /** The URL of a Link header's `rel`. */
    const linkOf = (header: string | null, rel: string) =>
      new RegExp(`<([^>]+)>; rel="${rel}"`).exec(header ?? '')?.[1];
    const names: string[] = [];
    let url: string | undefined = `${fresh.server.url}/api/v1/passes?limit=2`;
    while (url) {
      const page = await http(url, { key: fresh.apiKey });
      expect(page.status).toBe(200);
      expect(page.headers.get('x-total-count')).toBe('5');
      names.push(...page.body.map((p: { name: string }) => p.name));
      url = linkOf(page.headers.get('link'), 'next');
    }
    expect(names).toEqual([
      'Epsilon revoked',
      'Delta expired',
      'Gamma gym',
      'Beta 50% off',
      'Alpha Concert',
    ]);
    const active = await http(`${fresh.server.url}/api/v1/passes?limit=1&status=active`, {
      key: fresh.apiKey,
    });
    const next = linkOf(active.headers.get('link'), 'next')!;
    expect(next).toContain('status=active');
    const second = await http(next, { key: fresh.apiKey });
    expect([...active.body, ...second.body].map((p: { name: string }) => p.name)).toEqual([
      'Beta 50% off',
      'Alpha Concert',
    ]);
    // A place that is no pass of this tenant's list is refused, changing nothing.
    const strangers = await createTenant();
    const theirs = await strangers.newPass();
    for (const cursor of ['k1.nonsense', `k1.${theirs.id}`, 'v1.abc']) {
      const res = await http(`${fresh.server.url}/api/v1/passes?cursor=${cursor}`, {
        key: fresh.apiKey,
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'cursor: not a place in this list; start again without one',
      });
    }
  });

  it('derives status: expired by date, used for an exhausted multi pass, and filters on it', async () => {
    const all = await fresh.client.passes.list();
    if (!all.ok) throw new Error(all.error);
    const status = Object.fromEntries(all.data.map((p) => [p.name, p.status]));
    expect(status).toEqual({
      'Alpha Concert': 'active',
      'Beta 50% off': 'active',
      'Gamma gym': 'used',
      'Delta expired': 'expired',
      'Epsilon revoked': 'revoked',
    });
    for (const [filter, names] of [
      ['active', ['Beta 50% off', 'Alpha Concert']],
      ['used', ['Gamma gym']],
      ['expired', ['Delta expired']],
      ['revoked', ['Epsilon revoked']],
    ] as const) {
      const res = await fresh.client.passes.list({ status: filter });
      expect(res.ok && res.data.map((p) => p.name), filter).toEqual(names);
    }
  });

  it('searches name and code case-insensitively, with LIKE wildcards taken literally', async () => {
    const byName = await fresh.client.passes.list({ search: 'gAmMa' });
    expect(byName.ok && byName.data.map((p) => p.name)).toEqual(['Gamma gym']);
    const percent = await fresh.client.passes.list({ search: '50%' });
    expect(percent.ok && percent.data.map((p) => p.name)).toEqual(['Beta 50% off']);
    const underscore = await fresh.client.passes.list({ search: '_' });
    expect(underscore.ok && underscore.data).toEqual([]);
    if (!byName.ok) return;
    const code = byName.data[0]!.code;
    const byCode = await fresh.client.passes.list({ search: code.slice(2, 9).toLowerCase() });
    expect(byCode.ok && byCode.data.map((p) => p.code)).toContain(code);
    // Quotes and backslashes are text too (the pattern is written into the query's text).
    const quoted = await createTenant();
    await quoted.newPass({ name: "Dan O'Brien \\ Sons" });
    for (const search of ["o'bri", '\\ sons', "'", "o''"]) {
      const found = await quoted.client.passes.list({ search });
      const expected = search === "o''" ? [] : ["Dan O'Brien \\ Sons"];
      expect(found.ok && found.data.map((p) => p.name), search).toEqual(expected);
    }
  });

  it("filters by type and by client, and another tenant's client finds nothing", async () => {
    const names = async (query: string, owner = fresh) =>
      (await http(`${owner.apiUrl}/passes?${query}`, { key: owner.apiKey })).body.map(
        (p: { name: string }) => p.name,
      );
    expect(await names('type=multi')).toEqual(['Gamma gym']);
    expect(await names('type=single&status=active')).toEqual(['Beta 50% off', 'Alpha Concert']);
    const first = await fresh.newPass({ name: 'Zeta for Ana', clientName: 'Ana Client' });
    await fresh.newPass({ name: 'Eta for Bo', clientName: 'Bo Client' });
    await fresh.newPass({ name: 'Theta for Ana', clientName: 'Ana Client' });
    const clientId = (await http(`${fresh.apiUrl}/passes/${first.id}`, { key: fresh.apiKey })).body
      .client.id;
    expect(await names(`clientId=${clientId}`)).toEqual(['Theta for Ana', 'Zeta for Ana']);
    const stranger = await createTenant();
    expect(await names(`clientId=${clientId}`, stranger)).toEqual([]);
    const bad = await http(`${fresh.apiUrl}/passes?type=weekly`, { key: fresh.apiKey });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/type must be "single" or "multi"/);
  });

  it('refuses out-of-range paging and unknown statuses with 400', async () => {
    for (const query of [
      'limit=0',
      'limit=101',
      'limit=abc',
      'page=0',
      'page=1.5',
      'status=lost',
      'limit=',
      'limit=10&limit=20',
    ]) {
      const res = await http(`${fresh.server.url}/api/v1/passes?${query}`, { key: fresh.apiKey });
      expect(res.status, query).toBe(400);
      expect(res.body.error).toMatch(/^(limit|page|status): \1 must /);
    }
    // Whatever is wrong with it, a number says what it may be.
    for (const [query, message] of [
      ['limit=', 'limit: limit must be a whole number from 1 to 100, given once'],
      ['limit=10&limit=20', 'limit: limit must be a whole number from 1 to 100, given once'],
      ['page=1.5', 'page: page must be a whole number from 1 to 1000000, given once'],
      // Out of range and not a safe integer at once: said once, not once per broken rule.
      [
        'page=99999999999999999999',
        'page: page must be a whole number from 1 to 1000000, given once',
      ],
      // Numbers JavaScript reads but a person does not write in a query: not 100, 16 and 5.
      ['limit=1e2', 'limit: limit must be a whole number from 1 to 100, given once'],
      ['page=0x10', 'page: page must be a whole number from 1 to 1000000, given once'],
      ['limit=%205', 'limit: limit must be a whole number from 1 to 100, given once'],
    ]) {
      const res = await http(`${fresh.server.url}/api/v1/passes?${query}`, { key: fresh.apiKey });
      expect(res.body.error, query).toBe(message);
    }
  });

  it('counts exactly up to 10,000 (a search up to 1,000), and says when X-Total-Count is an estimate', async () => {
    const big = await createTenant();
    await importGuests(big, 10_000);
    const list = (query: string) => http(`${big.apiUrl}/passes?${query}`, { key: big.apiKey });
    const counted = async (query: string) => {
      const res = await list(query);
      return {
        total: Number(res.headers.get('x-total-count')),
        estimated: res.headers.get('x-total-count-estimated'),
      };
    };
    // 10,000: exact, and no word of an estimate.
    expect(await counted('limit=1')).toEqual({ total: 10_000, estimated: null });
    await big.newPass({ name: 'Guest 10001' });
    const beyond = await counted('limit=1');
    expect(beyond.estimated).toBe('true');
    expect(beyond.total).toBeGreaterThanOrEqual(10_001);
    // A search: exact to 1,000 (Guest 99, 990–999 and 9900–9999: 111), an estimate past it.
    expect(await counted('search=guest%2099')).toEqual({ total: 111, estimated: null });
    const many = await counted('search=guest%201');
    expect(many.estimated).toBe('true');
    expect(many.total).toBeGreaterThanOrEqual(1_001);
    // A page of another site may read it (CORS).
    const res = await http(`${big.apiUrl}/passes?limit=1`, {
      key: big.apiKey,
      headers: { origin: 'https://example.com' },
    });
    expect(res.headers.get('access-control-expose-headers')).toMatch(/X-Total-Count-Estimated/i);
  });

  it('never shows another tenant’s passes', async () => {
    const res = await other.client.passes.list({ search: 'Alpha Concert' });
    expect(res.ok && res.data).toEqual([]);
  });
});

describe('tenants, plans, keys and scopes', () => {
  it('401 without a key, with a malformed key, and with an unknown key', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Basic abc' },
      { authorization: 'Bearer 2pk_short' },
      { authorization: `Bearer 2pk_${'x'.repeat(32)}` },
    ]) {
      const res = await http(`${tenant.apiUrl}/passes`, { headers });
      expect(res.status).toBe(401);
      expect(res.body.error).toMatch(/API key|Authorization/);
    }
  });

  it('403 for a tenant not on the Pro plan', async () => {
    const free = await createTenant({ plan: 'free' });
    const res = await http(`${tenant.apiUrl}/passes`, { key: free.apiKey });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatch(/Pro plan/);
    expect((await http(`${tenant.apiUrl}/me`, { key: free.apiKey })).status).toBe(403);
  });

  it('403 once the tenant reaches its pass limit, and nothing is written', async () => {
    const small = await createTenant({ maxPasses: 2 });
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        http(`${tenant.apiUrl}/passes`, { key: small.apiKey, json: { type: 'single' } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 403, 403, 403]);
    expect(results.find((r) => r.status === 403)!.body.error).toMatch(/Pass limit reached/);
    expect((await small.counts()).passes).toBe(2);
  });

  it('a scan-scope key may scan and call /me', async () => {
    const key = await tenant.createKey({ scope: 'scan' });
    expect(key.scope).toBe('scan');
    const me = await http(`${tenant.apiUrl}/me`, { key: key.apiKey });
    expect(me.status).toBe(200);
    expect(me.body.key.scope).toBe('scan');
    const pass = await tenant.client.passes.create({ type: 'single' });
    if (!pass.ok) throw new Error(pass.error);
    const scan = await http(`${tenant.apiUrl}/scan`, {
      key: key.apiKey,
      json: { code: pass.data.code },
    });
    expect(scan.body.result).toBe('success');
    // Every other operation refuses it: test/api/every-route.test.ts walks them all.
  });

  it('GET /me describes the key and its tenant; a revoked key is refused', async () => {
    const key = await tenant.createKey({ rateLimit: 120 });
    const me = await http(`${tenant.apiUrl}/me`, { key: key.apiKey });
    expect(me.body).toEqual({
      tenant: { id: tenant.id, name: expect.any(String), plan: 'pro' },
      role: 'admin',
      key: { id: key.id, prefix: key.apiKey.slice(0, 12), scope: 'full', rateLimit: 120 },
      user: null,
      device: null,
    });
    expect(key.prefix).toBe(key.apiKey.slice(0, 12));
    await admin(tenant.server.env, 'key', 'revoke', '--key-id', key.id);
    await expect
      .poll(
        async () => (await http(`${tenant.apiUrl}/me`, { key: key.apiKey })).status,
        UNTIL_KEY_CHANGE_HEARD,
      )
      .toBe(401);
  });
});
