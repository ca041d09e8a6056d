import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AdminCommandError, admin } from '../support/admin';
import { type RunningServer, startServer } from '../support/server';
import { createTenant, http, type TestTenant } from '../support/tenant';
import { UNTIL_KEY_CHANGE_HEARD } from '../support/wait';

// Servers keep each key's caller in memory between requests, for a minute at most. These tests
// make sure that a key is always used first (so it is kept), then changed, and then answered
// differently within moments (see `UNTIL_KEY_CHANGE_HEARD`).
const databaseUrl = inject('databaseUrl');

const meStatus = async (url: string, apiKey: string) =>
  (await http(`${url}/api/v1/me`, { key: apiKey })).status;

/** Waits until every server answers `/me` for this key with `status`. */
const expectEverywhere = (urls: string[], apiKey: string, status: number) =>
  Promise.all(
    urls.map((url) =>
      expect.poll(() => meStatus(url, apiKey), UNTIL_KEY_CHANGE_HEARD).toBe(status),
    ),
  );

describe('key changes on one server', () => {
  it('refuses a revoked key within moments, for scans too', async () => {
    const tenant = await createTenant();
    const key = await tenant.createKey({ scope: 'scan' });
    const pass = await tenant.client.passes.create({ type: 'multi' });
    if (!pass.ok) throw new Error(pass.error);
    const scan = () =>
      http(`${tenant.apiUrl}/scan`, { key: key.apiKey, json: { code: pass.data.code } });
    expect((await scan()).status).toBe(200);
    await admin(tenant.server.env, 'key', 'revoke', '--key-id', key.id);
    await expect.poll(async () => (await scan()).status, UNTIL_KEY_CHANGE_HEARD).toBe(401);
    const refused = await scan();
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ error: 'Invalid or revoked API key' });
    // The tenant's other key is unaffected.
    expect(await meStatus(tenant.server.url, tenant.apiKey)).toBe(200);
  });

  it('applies a plan and a pass limit changed with the CLI within moments', async () => {
    const tenant = await createTenant();
    const passes = `${tenant.apiUrl}/passes`;
    const createPass = async () =>
      (await http(passes, { key: tenant.apiKey, json: { type: 'single' } })).status;
    expect(await createPass()).toBe(201);
    const update = (...flags: string[]) =>
      admin<{ plan: string; maxPasses: number | null; name: string }>(
        tenant.server.env,
        'tenant',
        'update',
        '--tenant',
        tenant.id,
        ...flags,
      );

    expect(await update('--plan', 'basic', '--name', ' Renamed ')).toMatchObject({
      plan: 'basic',
      name: 'Renamed',
    });
    await expect
      .poll(() => meStatus(tenant.server.url, tenant.apiKey), UNTIL_KEY_CHANGE_HEARD)
      .toBe(403);
    expect(await update('--plan', 'pro', '--max-passes', '1')).toMatchObject({ maxPasses: 1 });
    await expect
      .poll(() => meStatus(tenant.server.url, tenant.apiKey), UNTIL_KEY_CHANGE_HEARD)
      .toBe(200);
    expect(await createPass()).toBe(403);
    expect(await update('--max-passes', 'none')).toMatchObject({ maxPasses: null, plan: 'pro' });
    await expect.poll(createPass, UNTIL_KEY_CHANGE_HEARD).toBe(201);

    for (const [flags, message] of [
      [[], /at least one of/],
      [['--plan', 'gold'], /--plan must be one of/],
      [['--max-passes', '0'], /whole number from 1 to 1000000000, or none/],
      [['--name', '  '], /--name must be 1 to 200 characters/],
    ] as const) {
      const error = await update(...flags).catch((err: unknown) => err);
      expect(error, flags.join(' ')).toBeInstanceOf(AdminCommandError);
      expect((error as AdminCommandError).stderr).toMatch(message);
    }
    const missing = await admin(
      tenant.server.env,
      'tenant',
      'update',
      '--tenant',
      'ten_nope',
      '--plan',
      'pro',
    ).catch((err: unknown) => err);
    expect((missing as AdminCommandError).stderr).toMatch(/No tenant with id ten_nope/);
  });

  it('applies a key’s rate limit changed with the CLI within moments, without a new key', async () => {
    const tenant = await createTenant();
    const key = await tenant.createKey({ scope: 'scan', rateLimit: 2 });
    const me = () => http(`${tenant.apiUrl}/me`, { key: key.apiKey });
    expect((await me()).status).toBe(200);
    expect((await me()).status).toBe(200);
    expect((await me()).status).toBe(429);
    const update = (limit: string) =>
      admin<{ id: string; rateLimit: number | null; scope: string }>(
        tenant.server.env,
        'key',
        'update',
        '--key-id',
        key.id,
        '--rate-limit',
        limit,
      );
    expect(await update('500')).toMatchObject({ id: key.id, rateLimit: 500, scope: 'scan' });
    await expect.poll(async () => (await me()).status, UNTIL_KEY_CHANGE_HEARD).toBe(200);
    expect((await me()).headers.get('x-ratelimit-limit')).toBe('500');
    expect(await update('none')).toMatchObject({ rateLimit: null });
    await expect
      .poll(async () => (await me()).headers.get('x-ratelimit-limit'), UNTIL_KEY_CHANGE_HEARD)
      .toBe('30');

    await admin(tenant.server.env, 'key', 'revoke', '--key-id', key.id);
    const revoked = await update('100').catch((err: unknown) => err);
    expect((revoked as AdminCommandError).stderr).toMatch(/No active key with id/);
    const noLimit = await admin(tenant.server.env, 'key', 'update', '--key-id', key.id).catch(
      (err: unknown) => err,
    );
    expect((noLimit as AdminCommandError).stderr).toMatch(/--rate-limit is required/);
  });
});

// PGlite is one process's database; several instances and hand edits need PostgreSQL.
describe.skipIf(!databaseUrl)('key and tenant changes across two server processes', () => {
  let second: RunningServer;
  let root: pg.Client;
  let tenant: TestTenant;
  let urls: string[];
  beforeAll(async () => {
    second = await startServer({ databaseUrl });
    root = new pg.Client({ connectionString: databaseUrl });
    await root.connect();
    tenant = await createTenant();
    urls = [tenant.server.url, second.url];
  });
  afterAll(async () => {
    await second?.stop();
    await root?.end();
  });

  it('refuses a key revoked with the CLI on both within moments', async () => {
    const key = await tenant.createKey();
    for (const url of urls) expect(await meStatus(url, key.apiKey)).toBe(200);
    await admin(tenant.server.env, 'key', 'revoke', '--key-id', key.id);
    await expectEverywhere(urls, key.apiKey, 401);
  });

  it('sees a plan changed by hand in SQL on both within moments, both ways', async () => {
    const other = await createTenant();
    for (const url of urls) expect(await meStatus(url, other.apiKey)).toBe(200);
    await root.query(`UPDATE tenants SET plan = 'free' WHERE id = $1`, [other.id]);
    await expectEverywhere(urls, other.apiKey, 403);
    await root.query(`UPDATE tenants SET plan = 'pro' WHERE id = $1`, [other.id]);
    await expectEverywhere(urls, other.apiKey, 200);
  });

  it('reads every key from the database while its listening connection is down', async () => {
    const listening = () =>
      second.logs.filter((line) => line.includes('"msg":"listening for key and tenant changes"'))
        .length;
    expect(listening()).toBe(1);
    const key = await tenant.createKey();
    expect(await meStatus(second.url, key.apiKey)).toBe(200);
    // Cut the second server's LISTEN connection, as a database restart or a network blip would.
    await root.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`,
      [`passgate ${second.process.pid} listener`],
    );
    await expect
      .poll(() => second.logs.join(''))
      .toContain('not listening for key and tenant changes');
    await admin(tenant.server.env, 'key', 'revoke', '--key-id', key.id);
    expect(await meStatus(second.url, key.apiKey)).toBe(401);
    // A second later it listens again, and a change is heard again.
    await expect.poll(listening, { timeout: 5000 }).toBe(2);
    const later = await tenant.createKey();
    expect(await meStatus(second.url, later.apiKey)).toBe(200);
    await admin(tenant.server.env, 'key', 'revoke', '--key-id', later.id);
    await expectEverywhere([second.url], later.apiKey, 401);
  });
});
