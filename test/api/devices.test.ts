import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_BIN, admin } from '../support/admin';
import { REPO_ROOT } from '../support/server';
import { createTenant, http, type TestTenant } from '../support/tenant';
import { pastRunningTransactionsOfRun } from '../support/test-database';

let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTenant();
});

interface Pairing {
  device: { id: string; name: string; revokedAt: string | null };
  pairingUrl: string;
  expiresAt: string;
}

const tokenOf = (pairingUrl: string) => new URL(pairingUrl).hash.replace(/^#pair=/, '');

async function newDevice(name = 'North door', owner = tenant) {
  const created = await http(`${owner.apiUrl}/devices`, { key: owner.apiKey, json: { name } });
  expect(created.status).toBe(201);
  return created.body as Pairing;
}

const pair = (token: string, owner = tenant) =>
  http(`${owner.apiUrl}/devices/pair`, { json: { token } });

/** A device paired as a phone would pair it: its id and its credential. */
async function pairedDevice(name?: string) {
  const { device, pairingUrl } = await newDevice(name);
  const paired = await pair(tokenOf(pairingUrl));
  expect(paired.status).toBe(200);
  return { id: device.id, key: paired.body.apiKey as string };
}

describe('door devices', () => {
  it('are made over the API with a one-time pairing link that yields a scan key', async () => {
    const before = Date.now();
    const { device, pairingUrl, expiresAt } = await newDevice('Gate A');
    expect(device).toEqual({
      id: expect.stringMatching(/^dev_[A-Za-z0-9]{20}$/),
      name: 'Gate A',
      rateLimit: 600,
      createdAt: expect.any(String),
      lastSeenAt: null,
      lastSyncAt: null,
      clockSkewMs: null,
      queueSize: null,
      revokedAt: null,
      locationId: null,
    });
    expect(pairingUrl).toMatch(/^https?:\/\/[^/]+\/scanner\/#pair=[\w-]{32}$/);
    const ttl = new Date(expiresAt).getTime() - before;
    expect(ttl).toBeGreaterThan(24 * 3600_000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(24 * 3600_000 + 60_000);

    const paired = await pair(tokenOf(pairingUrl));
    expect(paired.status).toBe(200);
    expect(paired.body).toEqual({
      apiKey: expect.stringMatching(/^2pk_/),
      device: expect.objectContaining({ id: device.id, name: 'Gate A' }),
      tenant: { id: tenant.id, name: expect.any(String) },
    });
    const me = await http(`${tenant.apiUrl}/me`, { key: paired.body.apiKey });
    expect(me.body.key.scope).toBe('scan');
    // A door's credential has the door's budget, above a key's default 30 a minute.
    expect(me.body.key.rateLimit).toBe(600);
    expect(me.body.device).toEqual({ id: device.id, name: 'Gate A', location: null });
  });

  it('tell whom a pairing link is for without using it up', async () => {
    const { pairingUrl, expiresAt } = await newDevice('Side door');
    const token = tokenOf(pairingUrl);
    const preview = (t: string) =>
      http(`${tenant.apiUrl}/devices/pair/preview`, { json: { token: t } });
    const me = await http(`${tenant.apiUrl}/me`, { key: tenant.apiKey });
    for (let i = 0; i < 2; i++) {
      const seen = await preview(token);
      expect(seen.status).toBe(200);
      expect(seen.body).toEqual({
        device: { name: 'Side door' },
        tenant: { name: me.body.tenant.name },
        expiresAt,
      });
    }
    expect((await pair(token)).status).toBe(200);
    const used = await preview(token);
    expect(used.status).toBe(410);
    expect(used.body.error).toMatch(/used already/);
    expect((await preview('A'.repeat(32))).status).toBe(404);
    expect((await http(`${tenant.apiUrl}/devices/pair/preview`, { json: {} })).status).toBe(400);
  });

  it('refuse a used, unknown or malformed token, and change nothing', async () => {
    const { device, pairingUrl } = await newDevice();
    const token = tokenOf(pairingUrl);
    const first = await pair(token);
    expect(first.status).toBe(200);
    const again = await pair(token);
    expect(again.status).toBe(410);
    expect(again.body.error).toMatch(/used already/);
    // The first credential still works: a replayed link took nothing from it.
    expect((await http(`${tenant.apiUrl}/me`, { key: first.body.apiKey })).status).toBe(200);

    const unknown = await pair('A'.repeat(32));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatch(/Unknown pairing link/);
    for (const body of [{}, { token: '' }, { token: 5 }, { token: 'x'.repeat(500) }]) {
      const bad = await http(`${tenant.apiUrl}/devices/pair`, { json: body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body.error).toMatch(/token/);
    }
    const list = await http(`${tenant.apiUrl}/devices`, { key: tenant.apiKey });
    expect(list.body.find((d: { id: string }) => d.id === device.id).revokedAt).toBeNull();
  });

  it('get a fresh link for a replaced phone, which ends the old credential at once', async () => {
    const { device, pairingUrl } = await newDevice();
    const old = await pair(tokenOf(pairingUrl));
    const fresh = await http(`${tenant.apiUrl}/devices/${device.id}/pairing`, {
      key: tenant.apiKey,
      method: 'POST',
    });
    expect(fresh.status).toBe(200);
    expect(fresh.body.device.id).toBe(device.id);
    await expect
      .poll(async () => (await http(`${tenant.apiUrl}/me`, { key: old.body.apiKey })).status)
      .toBe(401);
    const replaced = await pair(tokenOf(fresh.body.pairingUrl));
    expect(replaced.status).toBe(200);
    expect((await http(`${tenant.apiUrl}/me`, { key: replaced.body.apiKey })).status).toBe(200);
  });

  it('are revoked with their credential; a revoked device gets 401 and no new link', async () => {
    const phone = await pairedDevice();
    const revoked = await http(`${tenant.apiUrl}/devices/${phone.id}/revoke`, {
      key: tenant.apiKey,
      method: 'POST',
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    await expect
      .poll(async () => (await http(`${tenant.apiUrl}/scanner/sync`, { key: phone.key })).status)
      .toBe(401);
    const relink = await http(`${tenant.apiUrl}/devices/${phone.id}/pairing`, {
      key: tenant.apiKey,
      method: 'POST',
    });
    expect(relink.status).toBe(404);
    // Revoking again answers the device as it is.
    const twice = await http(`${tenant.apiUrl}/devices/${phone.id}/revoke`, {
      key: tenant.apiKey,
      method: 'POST',
    });
    expect(twice.body.revokedAt).toBe(revoked.body.revokedAt);
  });

  it('are seen, with their clock skew and their waiting uploads, and their scans carry them', async () => {
    const phone = await pairedDevice('Side door');
    const pass = await tenant.newPass({ type: 'multi' });
    const ahead = new Date(Date.now() + 90_000).toISOString();
    const scanned = await http(`${tenant.apiUrl}/scan`, {
      key: phone.key,
      json: { code: pass.code },
      headers: { 'x-device-time': ahead, 'x-device-queue': '7' },
    });
    expect(scanned.body.result).toBe('success');
    const list = await http(`${tenant.apiUrl}/devices`, { key: tenant.apiKey });
    const device = list.body.find((d: { id: string }) => d.id === phone.id);
    expect(device.lastSeenAt).toEqual(expect.any(String));
    expect(device.clockSkewMs).toBeGreaterThan(80_000);
    expect(device.clockSkewMs).toBeLessThan(100_000);
    expect(device.queueSize).toBe(7);
    const scans = await http(`${tenant.apiUrl}/scans?passId=${pass.id}`, { key: tenant.apiKey });
    expect(scans.body).toEqual([
      expect.objectContaining({
        id: scanned.body.scan.id,
        deviceId: phone.id,
        deviceName: 'Side door',
        offline: false,
        conflict: null,
      }),
    ]);
  });

  it('are made, listed and revoked with pnpm admin, which can draw the link as a QR', async () => {
    const { env } = tenant.server;
    const created = await admin<Pairing>(
      env,
      'device',
      'create',
      '--tenant',
      tenant.id,
      '--name',
      'CLI door',
    );
    expect(created.device.name).toBe('CLI door');
    expect(created.pairingUrl).toMatch(/\/scanner\/#pair=/);
    // With --qr: the JSON on stdout as ever, and the link drawn as a QR on stderr.
    const drawn = await promisify(execFile)(
      process.execPath,
      [ADMIN_BIN, 'device', 'create', '--tenant', tenant.id, '--name', 'QR door', '--qr'],
      { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: '', ...env } },
    );
    const printed = JSON.parse(drawn.stdout) as Pairing;
    expect(printed.device.name).toBe('QR door');
    expect(drawn.stderr).toContain(printed.pairingUrl);
    expect(drawn.stderr).toMatch(/[▀▄█]{10}/);
    const listed = await admin<Pairing['device'][]>(env, 'device', 'list', '--tenant', tenant.id);
    expect(listed.map((device) => device.id)).toContain(created.device.id);
    const paired = await pair(tokenOf(created.pairingUrl));
    expect(paired.status).toBe(200);
    const revoked = await admin<Pairing['device']>(
      env,
      'device',
      'revoke',
      '--device-id',
      created.device.id,
    );
    expect(revoked.revokedAt).toEqual(expect.any(String));
    await expect
      .poll(async () => (await http(`${tenant.apiUrl}/me`, { key: paired.body.apiKey })).status)
      .toBe(401);
    await expect(admin(env, 'device', 'revoke', '--device-id', created.device.id)).rejects.toThrow(
      /No active device/,
    );
  });
});

describe('GET /scanner/sync', () => {
  it('gives a door every pass with only what deciding needs, in pages, then what changed', async () => {
    const owner = await createTenant();
    const client = (
      await http(`${owner.apiUrl}/clients`, {
        key: owner.apiKey,
        json: { name: 'Ada', email: 'ada@example.com', phone: '+15551234567' },
      })
    ).body;
    // biome-ignore lint/suspicious/noExplicitAny: passes as the API answered them
    const passes: any[] = [];
    for (let i = 0; i < 5; i++) {
      passes.push(
        await owner.newPass({
          name: `Guest ${i}`,
          clientName: client.name,
          customFields: [{ key: 'secret', value: 'private' }],
        }),
      );
    }
    const doorKey = (await owner.createKey({ scope: 'scan' })).apiKey;
    // A transaction of another file, open since before these passes, would send them again.
    await pastRunningTransactionsOfRun();
    const seen = new Map<string, Record<string, unknown>>();
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const query = new URLSearchParams({ limit: '2', ...(cursor ? { cursor } : {}) });
      const page = await http(`${owner.apiUrl}/scanner/sync?${query}`, { key: doorKey });
      expect(page.status).toBe(200);
      pages++;
      for (const pass of page.body.passes) seen.set(pass.code, pass);
      cursor = page.body.cursor;
      if (!page.body.hasMore) break;
    }
    expect(pages).toBe(3);
    expect([...seen.keys()].sort()).toEqual(passes.map((pass) => pass.code).sort());
    expect(seen.get(passes[0]!.code)).toEqual({
      code: passes[0]!.code,
      type: 'single',
      status: 'active',
      validFrom: null,
      validUntil: null,
      maxUsages: null,
      usagesCount: 0,
      lastAdmittedAt: null,
      name: 'Guest 0',
      clientName: 'Ada',
      locationId: null,
      inside: null,
    });
    expect(JSON.stringify([...seen.values()])).not.toMatch(/ada@example|5551234567|private/);

    // What changed since: a revoked pass and a used one, and nothing else.
    await owner.client.passes.revoke(passes[1]!.id);
    await http(`${owner.apiUrl}/scan`, { key: doorKey, json: { code: passes[2]!.code } });
    const changed = await http(`${owner.apiUrl}/scanner/sync?cursor=${cursor}`, { key: doorKey });
    const byCode = new Map(
      changed.body.passes.map((pass: { code: string }) => [pass.code, pass] as const),
    );
    expect(byCode.get(passes[1]!.code)).toMatchObject({ status: 'revoked' });
    expect(byCode.get(passes[2]!.code)).toMatchObject({ status: 'used', usagesCount: 1 });
    expect(byCode.has(passes[0]!.code)).toBe(false);
  });

  it('is compressed for a client that accepts gzip', async () => {
    const owner = await createTenant();
    for (let i = 0; i < 30; i++) await owner.newPass();
    const response = await fetch(`${owner.apiUrl}/scanner/sync`, {
      headers: { authorization: `Bearer ${owner.apiKey}`, 'accept-encoding': 'gzip' },
      // Node's fetch would decode it: read the bytes as they came.
    });
    expect(response.headers.get('content-encoding')).toBe('gzip');
    // fetch decodes gzip itself; the body is the whole answer.
    const body = await response.json();
    expect(body.passes).toHaveLength(30);
    // And a raw read of the wire: fewer bytes than the JSON.
    const raw = await new Promise<Buffer>((resolve, reject) => {
      import('node:http').then(({ get }) =>
        get(
          `${owner.apiUrl}/scanner/sync`,
          { headers: { authorization: `Bearer ${owner.apiKey}`, 'accept-encoding': 'gzip' } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk) => chunks.push(chunk));
            res.on('end', () => resolve(Buffer.concat(chunks)));
          },
        ).on('error', reject),
      );
    });
    const json = gunzipSync(raw).toString();
    expect(JSON.parse(json).passes).toHaveLength(30);
    expect(raw.length).toBeLessThan(json.length / 2);
  });

  it('refuses a malformed cursor or limit with 400, and a full key may sync too', async () => {
    for (const query of [
      'cursor=abc',
      'cursor=v1.x',
      'cursor=v1.1.2',
      'cursor=v1.99999999999999999999',
      // Well formed, but past every transaction of this database (another one's, a backup's).
      'cursor=v1.18446744073709551615',
      'limit=0',
      'limit=5001',
      'limit=two',
    ]) {
      const res = await http(`${tenant.apiUrl}/scanner/sync?${query}`, { key: tenant.apiKey });
      expect(res.status, query).toBe(400);
      expect(res.body.error).toMatch(/cursor|limit/);
    }
    expect((await http(`${tenant.apiUrl}/scanner/sync`, { key: tenant.apiKey })).status).toBe(200);
  });

  it("notes a device's last sync", async () => {
    const phone = await pairedDevice();
    await http(`${tenant.apiUrl}/scanner/sync`, { key: phone.key });
    const list = await http(`${tenant.apiUrl}/devices`, { key: tenant.apiKey });
    expect(list.body.find((d: { id: string }) => d.id === phone.id).lastSyncAt).toEqual(
      expect.any(String),
    );
  });
});
