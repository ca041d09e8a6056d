import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SESSION_IDLE_MS } from '../../server/src/domain/sessions';
import { newDataDir, type RunningServer, startServer } from '../support/server';
import { openStream } from '../support/sse';
import { type CreatedKey, createTenant, http, type TestTenant } from '../support/tenant';
import { type Session, signedInUser } from '../support/users';

/** The run's PostgreSQL database (unset on the embedded one, which only its server opens). */
const databaseUrl = inject('databaseUrl');

async function inDatabase<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

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

  /**
   * Sets when the user's session was last used, `idleFor` seconds ago, and revokes `marker` in
   * the same transaction; the server forgets what it cached of both when it commits.
   */
  async function lastUsed(user: Session, idleFor: number, marker: CreatedKey) {
    await inDatabase(async (client) => {
      await client.query('BEGIN');
      await client.query(
        `UPDATE sessions SET last_seen_at = now() - make_interval(secs => $2) WHERE user_id = $1`,
        [user.user.id, idleFor],
      );
      await client.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [marker.id]);
      await client.query('COMMIT');
    });
    // The marker refused: the server has forgotten what it cached (a revoked key it held would
    // otherwise work for up to a minute more).
    await expect
      .poll(async () => (await http(`${tenant.apiUrl}/account`, { key: marker.apiKey })).status)
      .toBe(401);
  }

  /** A signed-in user's open stream, then the session's last use set `idleFor` seconds ago. */
  async function streamOfSessionIdleFor(idleFor: number) {
    const user = await signedInUser(tenant, { role: 'staff' });
    const stream = await readyStream({ cookie: user.cookie });
    // A key of the tenant that the server has read, and cached.
    const marker = await tenant.createKey();
    expect((await http(`${tenant.apiUrl}/account`, { key: marker.apiKey })).status).toBe(200);
    await lastUsed(user, idleFor, marker);
    return { user, stream };
  }

  const IDLE_LIMIT_S = SESSION_IDLE_MS / 1000;

  it.runIf(databaseUrl)(
    'keeps no idle session alive: it ends as the session idles out',
    async () => {
      // Three seconds short of the idle limit: the stream asks every second whether the session
      // still works, and asking is not a use.
      const { user, stream } = await streamOfSessionIdleFor(IDLE_LIMIT_S - 3);
      await endsAndSendsNoMore(stream);
      expect(stream.events.at(-1)?.data.error).toBe(
        'Your session or API key no longer works: sign in again',
      );
      expect((await user.call('/me')).status).toBe(401);
    },
  );

  it.runIf(databaseUrl)(
    'still notes each use of the session beside a stream that asks about it',
    async () => {
      const { user, stream } = await streamOfSessionIdleFor(IDLE_LIMIT_S - 60);
      // The stream has asked about the session since the server forgot it: it sent a scan made
      // after that, and it asks before it sends.
      const pass = await tenant.newPass();
      const made = await scan(tenant, pass.code);
      await stream.until((e) => e.data?.id === made.body.scan.id);
      // The user uses the dashboard: that use is noted, and the session has twelve hours again.
      expect((await user.call('/me')).status).toBe(200);
      const { rows } = await inDatabase((client) =>
        client.query<{ idle: number }>(
          'SELECT extract(epoch FROM now() - max(last_seen_at))::float AS idle FROM sessions WHERE user_id = $1',
          [user.user.id],
        ),
      );
      expect(rows[0]?.idle).toBeLessThan(60);
      stream.close();
    },
  );
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
