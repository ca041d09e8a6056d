import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newDataDir, type RunningServer, startServer } from '../support/server';
import { openStream } from '../support/sse';
import { createTenant, http, type TestTenant } from '../support/tenant';
import { signedInUser } from '../support/users';

let tenant: TestTenant;
let stranger: TestTenant;

beforeAll(async () => {
  [tenant, stranger] = await Promise.all([createTenant(), createTenant()]);
});

const scan = (owner: TestTenant, code: string) =>
  http(`${owner.apiUrl}/scan`, { key: owner.apiKey, json: { code } });

describe('GET /scans/stream', () => {
  it('sends each scan of the tenant as it happens, and none of another tenant', async () => {
    const stream = await openStream(`${tenant.apiUrl}/scans/stream`, {
      authorization: `Bearer ${tenant.apiKey}`,
    });
    expect(stream.status).toBe(200);
    await stream.until((e) => e.event === 'ready');
    const [pass, theirs] = [
      await tenant.newPass({ name: 'Bo Chen', clientName: 'Acme' }),
      await stranger.newPass(),
    ];
    await scan(stranger, theirs.code);
    const admitted = await scan(tenant, pass.code);
    const refused = await scan(tenant, pass.code);
    const second = await stream.until((e) => e.data.id === refused.body.scan.id);
    // The guest's name and client beside the code: who a person watching the door looks for.
    expect(second.data).toMatchObject({
      code: pass.code,
      name: 'Bo Chen',
      clientName: 'Acme',
      result: 'already_used',
      success: false,
    });
    const first = stream.events.find((e) => e.data.id === admitted.body.scan.id);
    expect(first?.data).toMatchObject({ passId: pass.id, result: 'success', offline: false });
    expect(second.id).toMatch(/^s1\.\d+$/);
    expect(stream.events.some((e) => e.data.code === theirs.code)).toBe(false);
    stream.close();
  });

  it('resumes from Last-Event-ID, missing no scan made while away', async () => {
    const first = await openStream(`${tenant.apiUrl}/scans/stream`, {
      authorization: `Bearer ${tenant.apiKey}`,
    });
    const pass = await tenant.newPass({ type: 'multi' });
    const seen = await scan(tenant, pass.code);
    const event = await first.until((e) => e.data.id === seen.body.scan.id);
    first.close();
    const missed = [];
    for (let i = 0; i < 5; i++) missed.push((await scan(tenant, pass.code)).body.scan.id);
    const resumed = await openStream(`${tenant.apiUrl}/scans/stream`, {
      authorization: `Bearer ${tenant.apiKey}`,
      'last-event-id': event.id as string,
    });
    for (const id of missed) await resumed.until((e) => e.data.id === id);
    resumed.close();
  });

  it('is open to signed-in users and full keys, not to door keys; a foreign place is 400', async () => {
    const staff = await signedInUser(tenant, { role: 'staff' });
    const asUser = await openStream(`${tenant.apiUrl}/scans/stream`, {
      cookie: staff.cookie,
    });
    expect(asUser.status).toBe(200);
    asUser.close();
    const door = await tenant.createKey({ scope: 'scan' });
    const asDoor = await http(`${tenant.apiUrl}/scans/stream`, { key: door.apiKey });
    expect(asDoor.status).toBe(403);
    for (const place of ['nonsense', 's1.99999999999999999999', 's1.']) {
      const answer = await http(`${tenant.apiUrl}/scans/stream`, {
        key: tenant.apiKey,
        headers: { 'last-event-id': place },
      });
      expect(answer.status, place).toBe(400);
      expect(answer.body.error).toMatch(/^cursor:/);
    }
  });
});

describe('a scan stream outlives no credential', () => {
  /** A stream that has said it is ready, for the caller of `headers`. */
  async function readyStream(headers: Record<string, string>) {
    const stream = await openStream(`${tenant.apiUrl}/scans/stream`, headers);
    expect(stream.status).toBe(200);
    await stream.until((e) => e.event === 'ready');
    return stream;
  }

  /** The stream ends with an `end` event, and sends none of the scans after it. */
  async function endsAndSendsNoMore(stream: Awaited<ReturnType<typeof readyStream>>) {
    await stream.ended;
    expect(stream.events.at(-1)?.event).toBe('end');
    const pass = await tenant.newPass();
    await scan(tenant, pass.code);
    expect(stream.events.some((e) => e.data?.code === pass.code)).toBe(false);
  }

  it('ends when the API key is revoked', async () => {
    const key = await tenant.createKey();
    const stream = await readyStream({ authorization: `Bearer ${key.apiKey}` });
    const revoked = await http(`${tenant.apiUrl}/keys/${key.id}/revoke`, {
      key: tenant.apiKey,
      method: 'POST',
    });
    expect(revoked.status).toBe(200);
    await endsAndSendsNoMore(stream);
  });

  it('ends when the user signs out, and when the user is disabled', async () => {
    const [leaving, disabled, admin] = await Promise.all([
      signedInUser(tenant, { role: 'staff' }),
      signedInUser(tenant, { role: 'staff' }),
      signedInUser(tenant, { role: 'admin' }),
    ]);
    const [leavingStream, disabledStream] = await Promise.all([
      readyStream({ cookie: leaving.cookie }),
      readyStream({ cookie: disabled.cookie }),
    ]);
    expect((await leaving.call('/session', { method: 'DELETE' })).status).toBe(204);
    await endsAndSendsNoMore(leavingStream);
    const patched = await admin.call(`/users/${disabled.user.id}`, {
      method: 'PATCH',
      json: { disabled: true },
    });
    expect(patched.status).toBe(200);
    await endsAndSendsNoMore(disabledStream);
  });
});

describe('the scan stream across a server restart (a server of its own)', () => {
  let server: RunningServer | undefined;
  const dataDir = newDataDir();
  afterAll(() => server?.stop());

  it('ends when the server stops, without holding its stop, and resumes after', async () => {
    server = await startServer({ dataDir });
    const own = await createTenant({ server });
    const pass = await own.newPass({ type: 'multi' });
    const stream = await openStream(`${own.apiUrl}/scans/stream`, {
      authorization: `Bearer ${own.apiKey}`,
    });
    const before = await scan(own, pass.code);
    const last = await stream.until((e) => e.data.id === before.body.scan.id);
    expect(await server.stop()).toBe(0);
    await stream.ended;
    expect(server.logs.join('')).toMatch(/"msg":"stopped"/);

    server = await startServer({ dataDir });
    const url = `${server.url}/api/v1`;
    const after = await http(`${url}/scan`, { key: own.apiKey, json: { code: pass.code } });
    expect(after.status).toBe(200);
    const resumed = await openStream(`${url}/scans/stream`, {
      authorization: `Bearer ${own.apiKey}`,
      'last-event-id': last.id as string,
    });
    await resumed.until((e) => e.data.id === after.body.scan.id);
    resumed.close();
  });
});
