import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { startReceiver } from '../support/receiver';
import { createTenant, http, type TestTenant } from '../support/tenant';

let tenant: TestTenant;
/** A paired door device of the tenant: its id and credential. */
let door: { id: string; key: string };
let otherDoor: { id: string; key: string };

beforeAll(async () => {
  tenant = await createTenant();
  [door, otherDoor] = await Promise.all([tenant.pairDoor('North'), tenant.pairDoor('South')]);
});

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

/** An upload of a scan the phone decided offline. */
const upload = (
  code: string,
  localResult: string,
  options: { scannedAt?: string; key?: string; idempotencyKey?: string } = {},
) =>
  http(`${tenant.apiUrl}/scan`, {
    key: options.key ?? door.key,
    json: { code, offline: true, scannedAt: options.scannedAt ?? minutesAgo(3), localResult },
    headers: { 'idempotency-key': options.idempotencyKey ?? randomUUID() },
  });

const passOf = async (id: string) =>
  (await http(`${tenant.apiUrl}/passes/${id}`, { key: tenant.apiKey })).body;

describe('POST /scan with offline: true (an upload from a phone)', () => {
  it('records an offline admit as it happened, on the device and at its time', async () => {
    const pass = await tenant.newPass({ name: 'Ana Lima', clientName: 'Acme' });
    const scannedAt = minutesAgo(42);
    const res = await upload(pass.code, 'success', { scannedAt });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      success: true,
      result: 'success',
      conflict: null,
      pass: { status: 'used', usagesCount: 1, lastAdmittedAt: scannedAt },
      scan: { offline: true, scannedAt },
    });
    const [listed] = (
      await http(`${tenant.apiUrl}/scans?passId=${pass.id}`, { key: tenant.apiKey })
    ).body;
    expect(listed).toEqual({
      id: res.body.scan.id,
      passId: pass.id,
      code: pass.code,
      name: 'Ana Lima',
      clientName: 'Acme',
      result: 'success',
      success: true,
      offline: true,
      conflict: null,
      deviceId: door.id,
      deviceName: 'North',
      direction: 'entry',
      locationId: null,
      scannedAt,
      receivedAt: res.body.scan.receivedAt,
      annulledAt: null,
      clockCorrectedMs: null,
    });
  });

  it('counts an admit the rule now refuses, as a conflict with the reason and an event', async () => {
    const pass = await tenant.newPass();
    const online = await http(`${tenant.apiUrl}/scan`, {
      key: otherDoor.key,
      json: { code: pass.code },
    });
    expect(online.body.result).toBe('success');
    const res = await upload(pass.code, 'success');
    expect(res.body).toMatchObject({
      success: true,
      result: 'success',
      conflict: 'already_used',
      pass: { usagesCount: 2 },
    });
    expect((await passOf(pass.id)).usagesCount).toBe(2);
    const conflicts = await http(`${tenant.apiUrl}/scans?conflict=true&passId=${pass.id}`, {
      key: tenant.apiKey,
    });
    expect(conflicts.body.map((scan: { id: string }) => scan.id)).toEqual([res.body.scan.id]);
    const events = await http(`${tenant.apiUrl}/triggers?event=scan.conflict`, {
      key: tenant.apiKey,
    });
    expect(events.body).toContainEqual(
      expect.objectContaining({
        id: res.body.scan.id,
        passId: pass.id,
        conflict: 'already_used',
        offline: true,
        deviceId: door.id,
      }),
    );
  });

  it('records an offline refusal without counting a use', async () => {
    const pass = await tenant.newPass();
    const res = await upload(pass.code, 'revoked');
    expect(res.body).toMatchObject({ success: false, result: 'revoked', conflict: null });
    expect((await passOf(pass.id)).usagesCount).toBe(0);
    expect((await passOf(pass.id)).status).toBe('active');
  });

  it('counts an admit from a phone whose clock runs fast, at its time on the server clock', async () => {
    const pass = await tenant.newPass();
    // The phone's clock is 10 minutes fast: it scanned 3 minutes ago by the server's clock.
    const fastMs = 10 * 60_000;
    const res = await http(`${tenant.apiUrl}/scan`, {
      key: door.key,
      json: {
        code: pass.code,
        offline: true,
        scannedAt: new Date(Date.now() - 3 * 60_000 + fastMs).toISOString(),
        localResult: 'success',
      },
      headers: {
        'idempotency-key': randomUUID(),
        'x-device-time': new Date(Date.now() + fastMs).toISOString(),
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.pass).toMatchObject({ status: 'used', usagesCount: 1 });
    const scannedAt = Date.parse(res.body.scan.scannedAt);
    expect(Math.abs(scannedAt - (Date.now() - 3 * 60_000))).toBeLessThan(30_000);
    const [listed] = (
      await http(`${tenant.apiUrl}/scans?passId=${pass.id}`, { key: tenant.apiKey })
    ).body;
    expect(Math.abs(listed.clockCorrectedMs + fastMs)).toBeLessThan(30_000);
    // The use counted: another door cannot admit the single pass again.
    const again = await http(`${tenant.apiUrl}/scan`, {
      key: otherDoor.key,
      json: { code: pass.code },
    });
    expect(again.body.result).toBe('already_used');
  });

  it('records an upload still ahead of the server clock as received now, flagged', async () => {
    const pass = await tenant.newPass();
    const res = await upload(pass.code, 'success', { scannedAt: minutesAgo(-10) });
    expect(res.status).toBe(200);
    expect(Date.parse(res.body.scan.scannedAt)).toBeLessThanOrEqual(
      Date.parse(res.body.scan.receivedAt),
    );
    const [listed] = (
      await http(`${tenant.apiUrl}/scans?passId=${pass.id}`, { key: tenant.apiKey })
    ).body;
    expect(listed.clockCorrectedMs).toBeLessThan(-9 * 60_000);
    expect((await passOf(pass.id)).usagesCount).toBe(1);
  });

  it('refuses a device time out of range, or an upload without its parts, changing nothing', async () => {
    const pass = await tenant.newPass();
    const cases = [
      { scannedAt: minutesAgo(8 * 24 * 60), error: /7 days/ },
      { scannedAt: 'yesterday', error: /scannedAt/ },
    ];
    for (const { scannedAt, error } of cases) {
      const res = await upload(pass.code, 'success', { scannedAt });
      expect(res.status, scannedAt).toBe(400);
      expect(res.body.error).toMatch(error);
    }
    for (const json of [
      { code: pass.code, offline: true, localResult: 'success' },
      { code: pass.code, offline: true, scannedAt: minutesAgo(1) },
      { code: pass.code, offline: true, scannedAt: minutesAgo(1), localResult: 'maybe' },
      { code: pass.code, offline: 'yes', scannedAt: minutesAgo(1), localResult: 'success' },
    ]) {
      const res = await http(`${tenant.apiUrl}/scan`, { key: door.key, json });
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect(res.body.error).toEqual(expect.any(String));
    }
    expect((await passOf(pass.id)).usagesCount).toBe(0);
    const scans = await http(`${tenant.apiUrl}/scans?passId=${pass.id}`, { key: tenant.apiKey });
    expect(scans.body).toEqual([]);
  });

  it('counts once however often the same upload comes, and answers the recorded scan', async () => {
    const pass = await tenant.newPass({ type: 'multi' });
    const idempotencyKey = randomUUID();
    const first = await upload(pass.code, 'success', { idempotencyKey });
    const again = await upload(pass.code, 'success', { idempotencyKey });
    expect(again.body.scan.id).toBe(first.body.scan.id);
    expect((await passOf(pass.id)).usagesCount).toBe(1);
  });

  it('is one scan with the online attempt that carried the same key', async () => {
    // The phone sent the scan, gave up waiting, decided it and queued the upload: the server
    // had in fact decided it. The upload answers that decision and counts nothing more.
    const pass = await tenant.newPass({ type: 'multi' });
    const idempotencyKey = randomUUID();
    const online = await http(`${tenant.apiUrl}/scan`, {
      key: door.key,
      json: { code: pass.code },
      headers: { 'idempotency-key': idempotencyKey },
    });
    const uploaded = await upload(pass.code, 'success', { idempotencyKey });
    expect(uploaded.status).toBe(200);
    expect(uploaded.body.scan.id).toBe(online.body.scan.id);
    expect(uploaded.body.scan.offline).toBe(false);
    expect((await passOf(pass.id)).usagesCount).toBe(1);
  });

  // The 24-hour answer cache is not what makes a late upload count once: the scan row keeps the
  // key. Forget the cache (as 24 hours would) and send the upload again.
  it.skipIf(!inject('databaseUrl'))(
    'counts once when the same upload comes after the answer cache forgot its key',
    async () => {
      const pass = await tenant.newPass({ type: 'multi' });
      const idempotencyKey = randomUUID();
      const first = await upload(pass.code, 'success', { idempotencyKey });
      const forgetAnswer = async () => {
        const db = new pg.Client({ connectionString: inject('databaseUrl') });
        await db.connect();
        try {
          const deleted = await db.query('DELETE FROM idempotency_keys WHERE key = $1', [
            idempotencyKey,
          ]);
          return deleted.rowCount;
        } finally {
          await db.end();
        }
      };
      expect(await forgetAnswer()).toBe(1);
      const late = await upload(pass.code, 'success', { idempotencyKey });
      expect(late.status).toBe(200);
      expect(late.body.scan.id).toBe(first.body.scan.id);
      expect((await passOf(pass.id)).usagesCount).toBe(1);
      await forgetAnswer();
      // The same key with another pass's code is another request: 422, not the first scan.
      const other = await tenant.newPass({ type: 'multi' });
      const reused = await upload(other.code, 'success', { idempotencyKey });
      expect(reused.status).toBe(422);
      expect(reused.body.error).toMatch(/Idempotency-Key/);
      expect((await passOf(other.id)).usagesCount).toBe(0);
    },
  );

  it('sends scan.conflict to a subscribed webhook', async () => {
    const receiver = await startReceiver();
    try {
      const owner = await createTenant();
      const hook = await http(`${owner.apiUrl}/webhooks`, {
        key: owner.apiKey,
        json: { event: 'scan.conflict', targetUrl: receiver.url },
      });
      expect(hook.status).toBe(201);
      const pass = await owner.newPass();
      await http(`${owner.apiUrl}/scan`, { key: owner.apiKey, json: { code: pass.code } });
      const res = await http(`${owner.apiUrl}/scan`, {
        key: owner.apiKey,
        json: { code: pass.code, offline: true, scannedAt: minutesAgo(1), localResult: 'success' },
      });
      expect(res.body.conflict).toBe('already_used');
      const [delivered] = await receiver.waitFor((hooks) => hooks.length === 1);
      expect(delivered?.json).toMatchObject({
        event: 'scan.conflict',
        data: { id: res.body.scan.id, conflict: 'already_used', offline: true },
      });
    } finally {
      await receiver.close();
    }
  });
});

describe('GET /scans', () => {
  it('lists newest first, with filters, paging headers and clear errors', async () => {
    const owner = await createTenant();
    const pass = await owner.newPass({ type: 'multi' });
    const scan = (json: Record<string, unknown>) =>
      http(`${owner.apiUrl}/scan`, { key: owner.apiKey, json: { code: pass.code, ...json } });
    const online = await scan({});
    const offline = await scan({ offline: true, scannedAt: minutesAgo(5), localResult: 'success' });
    const refused = await scan({ offline: true, scannedAt: minutesAgo(4), localResult: 'expired' });
    const list = (query: string) => http(`${owner.apiUrl}/scans?${query}`, { key: owner.apiKey });
    const ids = async (query: string) =>
      (await list(query)).body.map((item: { id: string }) => item.id);
    const [a, b, c] = [online, offline, refused].map((res) => res.body.scan.id);
    expect(await ids('')).toEqual([c, b, a]);
    expect(await ids('offline=true')).toEqual([c, b]);
    expect(await ids('offline=false')).toEqual([a]);
    expect(await ids('result=expired')).toEqual([c]);
    expect(await ids('conflict=true')).toEqual([]);
    expect(await ids(`since=${encodeURIComponent(online.body.scan.receivedAt)}`)).toEqual([c, b]);
    expect(await ids('deviceId=dev_none')).toEqual([]);
    const paged = await list('limit=2&page=2');
    expect(paged.body.map((item: { id: string }) => item.id)).toEqual([a]);
    expect(paged.headers.get('x-total-count')).toBe('3');
    for (const query of ['offline=yes', 'conflict=1', 'result=ok', 'since=tomorrow', 'limit=0']) {
      const res = await list(query);
      expect(res.status, query).toBe(400);
      expect(res.body.error).toEqual(expect.any(String));
    }
    const stranger = await createTenant();
    expect((await http(`${stranger.apiUrl}/scans`, { key: stranger.apiKey })).body).toEqual([]);
  });
});

describe('POST /scans/{id}/annul', () => {
  it('gives the use back, once, and emits pass.scan_annulled; a door may undo only its own', async () => {
    const pass = await tenant.newPass();
    const scanned = await http(`${tenant.apiUrl}/scan`, {
      key: door.key,
      json: { code: pass.code },
    });
    const url = `${tenant.apiUrl}/scans/${scanned.body.scan.id}/annul`;
    const byOther = await http(url, { key: otherDoor.key, method: 'POST' });
    expect(byOther.status).toBe(404);
    const undone = await http(url, { key: door.key, method: 'POST' });
    expect(undone.status).toBe(200);
    expect(undone.body).toMatchObject({ id: scanned.body.scan.id, annulledAt: expect.any(String) });
    expect(await passOf(pass.id)).toMatchObject({ status: 'active', usagesCount: 0 });
    const twice = await http(url, { key: door.key, method: 'POST' });
    expect(twice.body.annulledAt).toBe(undone.body.annulledAt);
    expect((await passOf(pass.id)).usagesCount).toBe(0);
    const events = await http(`${tenant.apiUrl}/triggers?event=pass.scan_annulled`, {
      key: tenant.apiKey,
    });
    expect(
      events.body.filter((event: { id: string }) => event.id === scanned.body.scan.id),
    ).toHaveLength(1);
    // The pass admits again.
    const again = await http(`${tenant.apiUrl}/scan`, { key: door.key, json: { code: pass.code } });
    expect(again.body.result).toBe('success');
  });

  it('refuses a refusal, and a door past 15 minutes; a full key may undo any admit', async () => {
    const pass = await tenant.newPass({ type: 'multi' });
    const refused = await upload(pass.code, 'expired');
    const notAdmit = await http(`${tenant.apiUrl}/scans/${refused.body.scan.id}/annul`, {
      key: door.key,
      method: 'POST',
    });
    expect(notAdmit.status).toBe(409);
    expect(notAdmit.body.error).toMatch(/Only an admit/);
    const old = await upload(pass.code, 'success', { scannedAt: minutesAgo(20) });
    const late = await http(`${tenant.apiUrl}/scans/${old.body.scan.id}/annul`, {
      key: door.key,
      method: 'POST',
    });
    expect(late.status).toBe(403);
    expect(late.body.error).toMatch(/15 minutes/);
    // An undo made offline within the window, uploaded later, is in time.
    const inTime = await http(`${tenant.apiUrl}/scans/${old.body.scan.id}/annul`, {
      key: door.key,
      json: { annulledAt: minutesAgo(18) },
    });
    expect(inTime.status).toBe(200);
    const byAdmin = await upload(pass.code, 'success', { scannedAt: minutesAgo(60) });
    const undone = await http(`${tenant.apiUrl}/scans/${byAdmin.body.scan.id}/annul`, {
      key: tenant.apiKey,
      method: 'POST',
    });
    expect(undone.status).toBe(200);
    expect((await passOf(pass.id)).usagesCount).toBe(0);
    const bad = await http(`${tenant.apiUrl}/scans/${byAdmin.body.scan.id}/annul`, {
      key: tenant.apiKey,
      json: { annulledAt: 'soon' },
    });
    expect(bad.status).toBe(400);
  });

  it('refuses a door naming an undo time before the scan, and changes nothing', async () => {
    const pass = await tenant.newPass();
    const scanned = await http(`${tenant.apiUrl}/scan`, {
      key: door.key,
      json: { code: pass.code },
    });
    const url = `${tenant.apiUrl}/scans/${scanned.body.scan.id}/annul`;
    for (const annulledAt of ['0001-01-01T00:00:00Z', minutesAgo(5)]) {
      const refused = await http(url, { key: door.key, json: { annulledAt } });
      expect(refused.status, annulledAt).toBe(400);
      expect(refused.body.error).toMatch(/before the scan/);
    }
    expect(await passOf(pass.id)).toMatchObject({ status: 'used', usagesCount: 1 });
  });

  // The scan must be old on the server's clock too: moved back in the database.
  it.skipIf(!inject('databaseUrl'))(
    'refuses a door undoing a days-old admit by naming the scan time',
    async () => {
      const pass = await tenant.newPass();
      const scanned = await http(`${tenant.apiUrl}/scan`, {
        key: door.key,
        json: { code: pass.code },
      });
      const sixDaysAgo = new Date(Date.now() - 6 * 24 * 3_600_000);
      const db = new pg.Client({ connectionString: inject('databaseUrl') });
      await db.connect();
      try {
        await db.query('UPDATE scans SET scanned_at = $1, received_at = $1 WHERE id = $2', [
          sixDaysAgo,
          scanned.body.scan.id,
        ]);
      } finally {
        await db.end();
      }
      const late = await http(`${tenant.apiUrl}/scans/${scanned.body.scan.id}/annul`, {
        key: door.key,
        json: { annulledAt: sixDaysAgo.toISOString() },
      });
      expect(late.status).toBe(403);
      expect(late.body.error).toMatch(/15 minutes/);
      expect((await passOf(pass.id)).usagesCount).toBe(1);
    },
  );
});
