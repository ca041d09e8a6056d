import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTenant, http, type TestTenant } from '../support/tenant';

let tenant: TestTenant;
let other: TestTenant;

beforeAll(async () => {
  [tenant, other] = await Promise.all([createTenant(), createTenant()]);
});

describe('clients', () => {
  it('creates a client with the contract shape and emits client.created', async () => {
    const before = await tenant.counts();
    const res = await http(`${tenant.apiUrl}/clients`, {
      key: tenant.apiKey,
      json: {
        name: 'John Doe',
        email: 'john@example.com',
        phone: '+1234567890',
        notes: 'VIP customer',
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^cli_/),
      name: 'John Doe',
      email: 'john@example.com',
      phone: '+1234567890',
      notes: 'VIP customer',
      createdAt: expect.stringMatching(/Z$/),
    });
    const after = await tenant.counts();
    expect([after.clients - before.clients, after.events - before.events]).toEqual([1, 1]);
    const got = await http(`${tenant.apiUrl}/clients/${res.body.id}`, { key: tenant.apiKey });
    expect(got.body).toEqual(res.body);
    expect(
      (await http(`${tenant.apiUrl}/clients/${res.body.id}`, { key: other.apiKey })).status,
    ).toBe(404);
  });

  it('defaults the optional fields to null and validates input', async () => {
    const res = await tenant.client.clients.create({ name: 'Only Name' });
    expect(res.ok && res.data).toMatchObject({ email: null, phone: null, notes: null });
    const before = await tenant.counts();
    for (const [json, message] of [
      [{}, /^name: name is required$/],
      [{ name: '' }, /^name: name must not be empty$/],
      // Each limit in its own words (a long name once answered "name is required").
      [{ name: 'x'.repeat(201) }, /^name: name must be at most 200 characters$/],
      [{ name: 'X', email: 'not-an-email' }, /^email: email must be a valid email address$/],
      [{ name: 'X', phone: 5 }, /^phone: phone must be a string, not 5$/],
      [{ name: 'X', phone: '1'.repeat(51) }, /^phone: phone must be at most 50 characters$/],
      [{ name: 'X', notes: 'n'.repeat(5001) }, /^notes: notes must be at most 5000 characters$/],
    ] as const) {
      const bad = await http(`${tenant.apiUrl}/clients`, { key: tenant.apiKey, json });
      expect(bad.status, JSON.stringify(json)).toBe(400);
      expect(bad.body.error).toMatch(message);
    }
    expect(await tenant.counts()).toEqual(before);
  });

  it('changes only what is sent, clears with null, and keeps its passes; another tenant gets 404', async () => {
    const created = await http(`${tenant.apiUrl}/clients`, {
      key: tenant.apiKey,
      json: { name: 'Typo Nmae', email: 'typo@example.com', phone: '123' },
    });
    const pass = await tenant.newPass({ clientName: 'Typo Nmae' });
    const patch = (body: unknown, owner = tenant) =>
      http(`${owner.apiUrl}/clients/${created.body.id}`, {
        key: owner.apiKey,
        method: 'PATCH',
        json: body,
      });
    const fixed = await patch({ name: 'Typo Name', phone: null });
    expect(fixed.status).toBe(200);
    expect(fixed.body).toMatchObject({
      id: created.body.id,
      name: 'Typo Name',
      email: 'typo@example.com',
      phone: null,
    });
    const read = await http(`${tenant.apiUrl}/passes/${pass.id}`, { key: tenant.apiKey });
    expect(read.body.client).toMatchObject({ id: created.body.id, name: 'Typo Name' });
    expect((await patch({ email: 'not an email' })).status).toBe(400);
    expect((await patch({ name: '  ' })).status).toBe(400);
    expect((await patch({ name: 'Taken over' }, other)).status).toBe(404);
    const unchanged = await http(`${tenant.apiUrl}/clients/${created.body.id}`, {
      key: tenant.apiKey,
    });
    expect(unchanged.body.name).toBe('Typo Name');
  });

  it('merges a client into another: its passes move, gaps are filled, client.merged is emitted', async () => {
    const make = async (json: Record<string, string>) =>
      (await http(`${tenant.apiUrl}/clients`, { key: tenant.apiKey, json })).body;
    const kept = await make({ name: `Gómez Family ${Date.now()}`, email: 'gomez@example.com' });
    const twin = await make({ name: `G. Family ${Date.now()}`, phone: '555 0100' });
    const onTwin = await tenant.newPass({ clientName: twin.name });
    const onKept = await tenant.newPass({ clientName: kept.name });
    const merge = (from: string, into: string, owner = tenant) =>
      http(`${owner.apiUrl}/clients/${from}/merge`, { key: owner.apiKey, json: { into } });

    expect((await merge(twin.id, twin.id)).status).toBe(400);
    expect((await merge(twin.id, 'cli_none')).status).toBe(404);
    expect((await merge(twin.id, kept.id, other)).status).toBe(404);
    const merged = await merge(twin.id, kept.id);
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({
      id: kept.id,
      name: kept.name,
      email: 'gomez@example.com',
      phone: '555 0100',
    });
    for (const pass of [onTwin, onKept]) {
      const read = await http(`${tenant.apiUrl}/passes/${pass.id}`, { key: tenant.apiKey });
      expect(read.body.client?.id, pass.id).toBe(kept.id);
    }
    expect((await http(`${tenant.apiUrl}/clients/${twin.id}`, { key: tenant.apiKey })).status).toBe(
      404,
    );
    expect((await merge(twin.id, kept.id)).status).toBe(404);
    const triggers = await http(`${tenant.apiUrl}/triggers?event=client.merged`, {
      key: tenant.apiKey,
    });
    expect(triggers.body).toEqual([
      expect.objectContaining({
        id: expect.stringMatching(/^evt_/),
        clientId: kept.id,
        name: kept.name,
        mergedId: twin.id,
        mergedName: twin.name,
        passesMoved: 1,
      }),
    ]);
  });

  it('lists newest first and searches name, email and phone', async () => {
    const mine = await createTenant();
    for (const body of [
      { name: 'Ann Archer', email: 'ann@corp.test' },
      { name: 'Bob Baker', phone: '+44 20 7946 0000' },
      { name: 'Cy Cooper', email: 'cy@ANN-domain.test' },
    ]) {
      const res = await mine.client.clients.create(body);
      if (!res.ok) throw new Error(res.error);
    }
    const all = await http(`${mine.server.url}/api/v1/clients?limit=2`, { key: mine.apiKey });
    expect(all.body.map((c: { name: string }) => c.name)).toEqual(['Cy Cooper', 'Bob Baker']);
    expect(all.headers.get('x-total-count')).toBe('3');
    expect(all.headers.get('link')).toContain('rel="next"');
    const ann = await mine.client.clients.list({ search: 'ann' });
    expect(ann.ok && ann.data.map((c) => c.name)).toEqual(['Cy Cooper', 'Ann Archer']);
    const phone = await mine.client.clients.list({ search: '7946' });
    expect(phone.ok && phone.data.map((c) => c.name)).toEqual(['Bob Baker']);
    const foreign = await other.client.clients.list({ search: 'Archer' });
    expect(foreign.ok && foreign.data).toEqual([]);
  });

  it('creates one client for a retried POST /clients with the same Idempotency-Key', async () => {
    const key = randomUUID();
    const before = await tenant.counts();
    const send = () =>
      http(`${tenant.apiUrl}/clients`, {
        key: tenant.apiKey,
        json: { name: 'Once Only' },
        headers: { 'idempotency-key': key },
      });
    const first = await send();
    const again = await send();
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.body).toEqual(first.body);
    expect((await tenant.counts()).clients - before.clients).toBe(1);
  });

  it('attaches concurrent passes with one new clientName to a single client', async () => {
    const name = `Crowd ${randomUUID()}`;
    const created = await Promise.all(
      Array.from({ length: 10 }, () =>
        tenant.client.passes.create({ type: 'single', clientName: name }),
      ),
    );
    expect(created.every((res) => res.ok)).toBe(true);
    const clients = await tenant.client.clients.list({ search: name });
    expect(clients.ok && clients.data.map((c) => c.name)).toEqual([name]);
  });

  it('keeps one client per name whatever its case and accents, concurrent writes included', async () => {
    const own = await createTenant();
    const create = (name: string) =>
      http(`${own.apiUrl}/clients`, { key: own.apiKey, json: { name } });
    const first = await create('Zoë Ünal');
    expect(first.status).toBe(201);
    const twin = await create('zoe UNAL');
    expect(twin.status).toBe(409);
    expect(twin.body.error).toBe(
      `A client named "Zoë Ünal" (${first.body.id}) exists already: names are compared without case and accents. Use that client, or merge the two`,
    );
    const ana = await create('Ana');
    const rename = (json: unknown) =>
      http(`${own.apiUrl}/clients/${ana.body.id}`, { key: own.apiKey, method: 'PATCH', json });
    expect((await rename({ name: 'ZOË ünal' })).status).toBe(409);
    expect((await rename({ name: 'ANA' })).body.name).toBe('ANA');
    // Creates and renames racing to one new name: one wins, the others are told, none fails.
    const answers = await Promise.all([
      ...['Ça Ira', 'ca ira', 'CA IRA', 'ça ira'].map(create),
      rename({ name: 'Ca Ira' }),
      own.client.passes.create({ type: 'single', clientName: 'çA iRA' }),
    ]);
    const statuses = answers.slice(0, 5).map((answer) => answer.status);
    expect(statuses.filter((status) => status === 409).length).toBeGreaterThanOrEqual(4);
    expect(statuses.every((status) => [200, 201, 409].includes(status))).toBe(true);
    const pass = answers[5] as Awaited<ReturnType<typeof own.client.passes.create>>;
    expect(pass.ok).toBe(true);
    const named = await http(`${own.apiUrl}/clients?search=ca ira`, { key: own.apiKey });
    expect(named.body).toHaveLength(1);
    // Zoë, Ana and Ça Ira; or two, when the rename made Ana the Ça Ira.
    expect((await own.counts()).clients).toBe(statuses.includes(200) ? 2 : 3);
  });
});
