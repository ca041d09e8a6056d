import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTenant, http, type TestTenant } from '../support/tenant';

let tenant: TestTenant;
let other: TestTenant;

beforeAll(async () => {
  [tenant, other] = await Promise.all([createTenant(), createTenant()]);
});

async function newPass(body: Record<string, unknown> = {}) {
  const res = await tenant.client.passes.create({ type: 'single', ...body } as never);
  if (!res.ok) throw new Error(res.error);
  return res.data;
}

const scan = (
  code: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) => http(`${tenant.apiUrl}/scan`, { key: tenant.apiKey, json: { code, ...extra }, headers });

describe('POST /scan', () => {
  it('admits a single pass once with the contract shape, then says already_used', async () => {
    const pass = await newPass({ name: 'VIP Guest', clientName: 'John Doe' });
    const first = await scan(pass.code, { device: 'door-1' });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      success: true,
      result: 'success',
      pass: {
        id: pass.id,
        code: pass.code,
        name: 'VIP Guest',
        type: 'single',
        status: 'used',
        usagesCount: 1,
        maxUsages: null,
        validFrom: null,
        validUntil: null,
        clientName: 'John Doe',
        lastAdmittedAt: first.body.scan.scannedAt,
        locationId: null,
      },
      conflict: null,
      scan: {
        id: expect.stringMatching(/^scan_/),
        scannedAt: expect.any(String),
        offline: false,
        receivedAt: first.body.scan.scannedAt,
        direction: 'entry',
        locationId: null,
      },
    });
    const second = await scan(pass.code);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({
      success: false,
      result: 'already_used',
      pass: { status: 'used', usagesCount: 1 },
    });
    expect(second.body.pass.lastAdmittedAt).toBe(first.body.scan.scannedAt);
    expect(second.body.scan.id).not.toBe(first.body.scan.id);
  });

  it('gives each rejection reason, in the rule’s order, without counting a use', async () => {
    const revoked = await newPass({ validUntil: '2001-01-01T00:00:00Z' });
    await tenant.client.passes.revoke(revoked.id);
    const cases: [Awaited<ReturnType<typeof newPass>>, string][] = [
      // revoked wins over expired
      [revoked, 'revoked'],
      [await newPass({ validFrom: '2099-01-01T00:00:00Z' }), 'not_yet_valid'],
      [await newPass({ validUntil: '2001-01-01T00:00:00Z' }), 'expired'],
      [
        await newPass({ type: 'multi', maxUsages: 1, validUntil: '2001-01-01T00:00:00Z' }),
        'expired',
      ],
    ];
    for (const [pass, result] of cases) {
      const res = await scan(pass.code);
      expect(res.body, result).toMatchObject({ success: false, result, pass: { usagesCount: 0 } });
    }
  });

  it('counts a multi pass up to maxUsages, then max_usages_reached; unlimited without one', async () => {
    const limited = await newPass({ type: 'multi', maxUsages: 2 });
    const results = [];
    for (let i = 0; i < 3; i++) results.push((await scan(limited.code)).body);
    expect(results.map((r) => r.result)).toEqual(['success', 'success', 'max_usages_reached']);
    expect(results.map((r) => r.pass.status)).toEqual(['active', 'used', 'used']);
    expect(results.map((r) => r.pass.usagesCount)).toEqual([1, 2, 2]);

    const unlimited = await newPass({ type: 'multi' });
    for (let i = 0; i < 5; i++) expect((await scan(unlimited.code)).body.result).toBe('success');
  });

  it('accepts the full public URL as the code', async () => {
    const pass = await newPass();
    const res = await scan(pass.publicUrl);
    expect(res.body.result).toBe('success');
    expect(res.body.pass.id).toBe(pass.id);
  });

  it('takes a code typed in groups, with spaces, as staff read it out', async () => {
    const pass = await newPass();
    const grouped = `${pass.code.slice(0, 4)} ${pass.code.slice(4, 8)}\t${pass.code.slice(8)} `;
    const res = await scan(grouped);
    expect(res.status).toBe(200);
    expect(res.body.pass.id).toBe(pass.id);
  });

  it('takes a code typed in the wrong case or with dashes; new codes have no look-alikes', async () => {
    const passes = await Promise.all([1, 2, 3, 4, 5].map(() => newPass()));
    for (const pass of passes) expect(pass.code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{12}$/);
    const [typed, dashed, uploaded] = passes as [
      (typeof passes)[0],
      (typeof passes)[0],
      (typeof passes)[0],
    ];
    const lower = await scan(typed.code.toLowerCase());
    expect(lower.status).toBe(200);
    expect(lower.body).toMatchObject({
      result: 'success',
      pass: { id: typed.id, code: typed.code },
    });
    const read = `${dashed.code.slice(0, 4)}-${dashed.code.slice(4, 8)}-${dashed.code.slice(8)}`;
    const grouped = await scan(read.toLowerCase());
    expect(grouped.status).toBe(200);
    expect(grouped.body.pass.id).toBe(dashed.id);
    // A phone's upload of a code typed so is recorded on its pass too.
    const upload = await scan(uploaded.code.toLowerCase(), {
      offline: true,
      scannedAt: new Date(Date.now() - 60_000).toISOString(),
      localResult: 'success',
    });
    expect(upload.status).toBe(200);
    expect(upload.body).toMatchObject({ pass: { id: uploaded.id }, scan: { offline: true } });
    // Another tenant's code, in any case, is still unknown here.
    const foreign = await other.client.passes.create({ type: 'single' });
    if (!foreign.ok) throw new Error(foreign.error);
    expect((await scan(foreign.data.code.toLowerCase())).status).toBe(404);
  });

  it('is 404 for an unknown code, another tenant’s code and junk, and records nothing', async () => {
    const foreign = await other.client.passes.create({ type: 'single' });
    if (!foreign.ok) throw new Error(foreign.error);
    const before = await tenant.counts();
    for (const code of [
      'AAAAAAAAAAAA',
      foreign.data.code,
      'hello world',
      'https://example.com/',
      '%%%',
    ]) {
      const res = await scan(code);
      expect(res.status, code).toBe(404);
      expect(res.body.error).toMatch(/Unknown pass/);
    }
    expect(await tenant.counts()).toEqual(before);
    const untouched = await other.client.passes.get(foreign.data.id);
    expect(untouched.ok && untouched.data.usagesCount).toBe(0);
  });

  it('rejects a missing or oversized code with 400', async () => {
    expect((await http(`${tenant.apiUrl}/scan`, { key: tenant.apiKey, json: {} })).body.error).toBe(
      'code: code is required',
    );
    expect((await scan('x'.repeat(3000))).body.error).toBe(
      'code: code must be at most 2048 characters',
    );
    expect((await scan(12 as unknown as string)).body.error).toBe(
      'code: code must be a string, not 12',
    );
    expect((await scan('   ')).body.error).toBe('code: code must not be empty');
  });

  it('records every attempt on a known pass, with pass.scanned events and one status change', async () => {
    const pass = await newPass();
    const before = await tenant.counts();
    await scan(pass.code);
    await scan(pass.code);
    const after = await tenant.counts();
    expect(after.scans - before.scans).toBe(2);
    // two pass.scanned, one pass.status_changed (active → used)
    expect(after.events - before.events).toBe(3);
  });
});

describe('Idempotency-Key', () => {
  it('replays the first answer for the same key and body, and does nothing twice', async () => {
    const pass = await newPass();
    const key = randomUUID();
    const before = await tenant.counts();
    const first = await scan(pass.code, {}, { 'idempotency-key': key });
    const replay = await scan(pass.code, {}, { 'idempotency-key': key });
    expect(first.body.result).toBe('success');
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const after = await tenant.counts();
    expect(after.scans - before.scans).toBe(1);
    // A fresh key is a fresh scan.
    expect((await scan(pass.code, {}, { 'idempotency-key': randomUUID() })).body.result).toBe(
      'already_used',
    );
  });

  it('is 422 for the same key with another code or endpoint', async () => {
    const pass = await newPass();
    const other = await newPass();
    const key = randomUUID();
    await scan(pass.code, {}, { 'idempotency-key': key });
    const otherCode = await scan(other.code, {}, { 'idempotency-key': key });
    expect(otherCode.status).toBe(422);
    expect(otherCode.body.error).toMatch(/different request/);
    const otherPath = await http(`${tenant.apiUrl}/passes`, {
      key: tenant.apiKey,
      json: { type: 'single' },
      headers: { 'idempotency-key': key },
    });
    expect(otherPath.status).toBe(422);
  });

  it('answers concurrent repeats with the first answer or 409, and admits once', async () => {
    const pass = await newPass();
    const key = randomUUID();
    const before = await tenant.counts();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => scan(pass.code, {}, { 'idempotency-key': key })),
    );
    const ok = answers.filter((a) => a.status === 200);
    const busy = answers.filter((a) => a.status === 409);
    expect(ok.length + busy.length).toBe(20);
    expect(ok.length).toBeGreaterThan(0);
    for (const answer of ok) expect(answer.body).toEqual(ok[0]!.body);
    expect(ok[0]!.body.result).toBe('success');
    for (const answer of busy) expect(answer.body.error).toMatch(/still being processed/);
    expect((await tenant.counts()).scans - before.scans).toBe(1);
  });

  // Scans that arrive together may be decided in one statement (routes/scan/queue.ts, whose own
  // test makes sure of it); each keyed one's answer is committed under its own key.
  it('keeps each answer of scans decided together under its own key', async () => {
    const passes = await Promise.all(Array.from({ length: 12 }, () => newPass()));
    const keys = passes.map((_, i) => (i % 3 === 0 ? undefined : randomUUID()));
    const send = () =>
      Promise.all(
        passes.map((pass, i) => scan(pass.code, {}, keys[i] ? { 'idempotency-key': keys[i] } : {})),
      );
    const before = await tenant.counts();
    const first = await send();
    expect(first.map((a) => a.body.result)).toEqual(passes.map(() => 'success'));
    const again = await send();
    passes.forEach((_, i) => {
      if (keys[i]) {
        expect(again[i]!.headers.get('idempotent-replayed')).toBe('true');
        expect(again[i]!.body).toEqual(first[i]!.body);
      } else {
        expect(again[i]!.body.result).toBe('already_used');
      }
    });
    // 12 first scans, and 4 more of the passes scanned without a key
    expect((await tenant.counts()).scans - before.scans).toBe(16);
  });

  it('creates one pass for a retried POST /passes, and lets a failed request be retried', async () => {
    const key = randomUUID();
    const before = await tenant.counts();
    const a = await http(`${tenant.apiUrl}/passes`, {
      key: tenant.apiKey,
      json: { type: 'single', name: 'Once' },
      headers: { 'idempotency-key': key },
    });
    const b = await http(`${tenant.apiUrl}/passes`, {
      key: tenant.apiKey,
      json: { type: 'single', name: 'Once' },
      headers: { 'idempotency-key': key },
    });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.id).toBe(a.body.id);
    expect((await tenant.counts()).passes - before.passes).toBe(1);

    const retryKey = randomUUID();
    const bad = await http(`${tenant.apiUrl}/passes`, {
      key: tenant.apiKey,
      json: { type: 'nope' },
      headers: { 'idempotency-key': retryKey },
    });
    expect(bad.status).toBe(400);
    const fixed = await http(`${tenant.apiUrl}/passes`, {
      key: tenant.apiKey,
      json: { type: 'nope' },
      headers: { 'idempotency-key': retryKey },
    });
    expect(fixed.status).toBe(400);
  });

  it('refuses a malformed key', async () => {
    const res = await scan('AAAAAAAAAAAA', {}, { 'idempotency-key': 'x'.repeat(300) });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/Idempotency-Key/);
  });
});
