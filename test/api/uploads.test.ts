import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTenant, http, type TestTenant } from '../support/tenant';

let tenant: TestTenant;
let other: TestTenant;
/** A paired door device of the tenant: its id and credential. */
let door: { id: string; key: string };

beforeAll(async () => {
  [tenant, other] = await Promise.all([createTenant(), createTenant()]);
  door = await tenant.pairDoor('North');
});

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

/** A scan as a door queues it: decided on the phone, under a key of its own. */
const queued = (code: string, localResult = 'success', extra: Record<string, unknown> = {}) => ({
  key: randomUUID(),
  code,
  scannedAt: minutesAgo(5),
  localResult,
  device: 'North',
  ...extra,
});

const upload = (scans: unknown[], key = door.key, apiUrl = tenant.apiUrl) =>
  http(`${apiUrl}/scanner/uploads`, { key, json: { scans } });

const passOf = async (id: string) =>
  (await http(`${tenant.apiUrl}/passes/${id}`, { key: tenant.apiKey })).body;

const scansOf = async (passId: string) =>
  (await http(`${tenant.apiUrl}/scans?passId=${passId}`, { key: tenant.apiKey })).body;

describe('POST /scanner/uploads (a door uploads its queue)', () => {
  it('records each scan in order, as it happened, and answers each as POST /scan would', async () => {
    const multi = await tenant.newPass({ type: 'multi', maxUsages: 2 });
    const single = await tenant.newPass();
    const scans = [
      queued(multi.code, 'success', { scannedAt: minutesAgo(30) }),
      queued(single.code, 'success', { scannedAt: minutesAgo(20) }),
      queued(multi.code, 'success', { scannedAt: minutesAgo(10) }),
      // A second phone admitted the single pass too: counted, as a conflict.
      queued(single.code, 'success', { scannedAt: minutesAgo(9) }),
      queued(multi.code, 'max_usages_reached', { scannedAt: minutesAgo(8) }),
      queued('NOPASS000000', 'success'),
      queued('ZZZZ-ZZZZ-ZZZZ', 'success', { direction: 'exit' }),
      queued(multi.code, 'success', {
        scannedAt: new Date(Date.now() - 8 * 86_400_000).toISOString(),
      }),
    ];
    const res = await upload(scans);
    expect(res.body.error).toBeUndefined();
    const { results } = res.body;
    expect(results.map((r: { key: string }) => r.key)).toEqual(scans.map((s) => s.key));
    expect(results.map((r: { status: number }) => r.status)).toEqual([
      200, 200, 200, 200, 200, 404, 404, 400,
    ]);
    expect(results[0].answer).toMatchObject({
      success: true,
      conflict: null,
      pass: { usagesCount: 1 },
      scan: { offline: true, scannedAt: scans[0]?.scannedAt },
    });
    expect(results[2].answer).toMatchObject({ conflict: null, pass: { usagesCount: 2 } });
    expect(results[3].answer).toMatchObject({ conflict: 'already_used', pass: { usagesCount: 2 } });
    expect(results[4].answer).toMatchObject({ success: false, pass: { usagesCount: 2 } });
    expect(results[5].error).toBe('Unknown pass: no pass of this tenant has that code');
    expect(results[7].error).toBe('scannedAt: an offline scan can be uploaded for 7 days at most');
    expect(await passOf(multi.id)).toMatchObject({ usagesCount: 2, status: 'used' });
    expect(await passOf(single.id)).toMatchObject({ usagesCount: 2, status: 'used' });
    const multiScans = await scansOf(multi.id);
    expect(multiScans.map((s: { id: string }) => s.id).sort()).toEqual(
      [results[0], results[2], results[4]].map((r) => r.answer.scan.id).sort(),
    );
    expect(multiScans.every((s: { deviceId: string }) => s.deviceId === door.id)).toBe(true);
    // The exit of a code no pass has is in the scan log all the same.
    const log = (await http(`${tenant.apiUrl}/scans?limit=100`, { key: tenant.apiKey })).body;
    expect(
      log.filter((s: { code: string }) => s.code.replaceAll('-', '') === 'ZZZZZZZZZZZZ'),
    ).toMatchObject([{ result: 'unknown_pass', direction: 'exit', offline: true }]);
  });

  it('records each scan once under its key, sent again in a batch or alone', async () => {
    const pass = await tenant.newPass({ type: 'multi' });
    const first = queued(pass.code, 'success', { scannedAt: minutesAgo(7) });
    const second = queued(pass.code, 'success', { scannedAt: minutesAgo(6) });
    const once = await upload([first, second]);
    expect(once.status).toBe(200);
    // The answer was lost: the door sends the same again, and a third scan with it.
    const third = queued(pass.code);
    const again = await upload([first, second, third]);
    const scanOf = (result: { answer: { scan: unknown } }) => result.answer.scan;
    expect(again.body.results.slice(0, 2).map(scanOf)).toEqual(once.body.results.map(scanOf));
    expect(again.body.results[2].answer.pass.usagesCount).toBe(3);
    // Alone, under the same Idempotency-Key, as `POST /scan` with `offline: true`.
    const { key, ...body } = first;
    const alone = await http(`${tenant.apiUrl}/scan`, {
      key: door.key,
      json: { ...body, offline: true },
      headers: { 'idempotency-key': key },
    });
    expect(alone.body.scan.id).toBe(once.body.results[0].answer.scan.id);
    expect((await passOf(pass.id)).usagesCount).toBe(3);
    expect(await scansOf(pass.id)).toHaveLength(3);
  });

  it('takes the scan its online attempt recorded under the same key, and counts it once', async () => {
    const pass = await tenant.newPass();
    const key = randomUUID();
    const online = await http(`${tenant.apiUrl}/scan`, {
      key: door.key,
      json: { code: pass.code },
      headers: { 'idempotency-key': key },
    });
    expect(online.body.result).toBe('success');
    // The answer never reached the phone, which admitted the guest itself and queued the scan.
    const res = await upload([{ ...queued(pass.code), key }]);
    expect(res.body.results[0]).toMatchObject({ status: 200, answer: { scan: online.body.scan } });
    expect(await passOf(pass.id)).toMatchObject({ usagesCount: 1, status: 'used' });
  });

  it('records each key once when a door sends a batch again while the first still runs', async () => {
    const passes = await Promise.all(
      Array.from({ length: 5 }, () => tenant.newPass({ type: 'multi' })),
    );
    const scans = passes.flatMap((pass) => [queued(pass.code), queued(pass.code)]);
    const answers = await Promise.all([upload(scans), upload(scans), upload(scans.slice(4))]);
    for (const res of answers) expect([200, 409]).toContain(res.status);
    const final = await upload(scans);
    expect(final.body.results.every((r: { status: number }) => r.status === 200)).toBe(true);
    for (const pass of passes) expect((await passOf(pass.id)).usagesCount).toBe(2);
  });

  it("refuses a key used for another code, and another tenant's code, in their own places", async () => {
    const pass = await tenant.newPass({ type: 'multi' });
    const otherPass = await other.newPass();
    const first = queued(pass.code);
    await upload([first]);
    const res = await upload([
      { ...first, code: otherPass.code },
      queued(otherPass.code),
      queued(pass.code),
    ]);
    expect(res.body.results.map((r: { status: number }) => r.status)).toEqual([422, 404, 200]);
    expect(res.body.results[0].error).toBe('key: it was used for a scan of another code');
    const untouched = await http(`${other.apiUrl}/passes/${otherPass.id}`, { key: other.apiKey });
    expect(untouched.body.usagesCount).toBe(0);
  });

  it('answers 400 in its place to a door that names a location, and to an unknown one', async () => {
    const pass = await tenant.newPass({ type: 'multi' });
    const byDoor = await upload([queued(pass.code, 'success', { locationId: 'loc_nowhere' })]);
    expect(byDoor.body.results[0]).toEqual({
      key: expect.any(String),
      status: 400,
      error: 'locationId: a door scans at its own location; move it with PATCH /devices/{id}',
    });
    const byKey = await upload(
      [queued(pass.code, 'success', { locationId: 'loc_nowhere' })],
      tenant.apiKey,
    );
    expect(byKey.body.results[0].status).toBe(400);
    expect(byKey.body.results[0].error).toMatch(/^locationId: /);
    expect((await passOf(pass.id)).usagesCount).toBe(0);
  });

  it('answers 400, recording nothing, to a batch that is not one', async () => {
    const pass = await tenant.newPass({ type: 'multi' });
    const scan = queued(pass.code);
    const { localResult: _, ...undecided } = queued(pass.code);
    for (const [scans, error] of [
      [[], /^scans: /],
      [Array.from({ length: 101 }, () => queued(pass.code)), /^scans: /],
      [[scan, { ...queued(pass.code), key: scan.key }], /^scans: each scan needs a key of its own/],
      [[{ ...scan, key: 'has space' }], /^scans\.0\.key: key must be 1 to 255 visible ASCII/],
      [[undecided], /^scans\.0\.localResult: /],
      [[{ ...scan, scannedAt: 'yesterday' }], /^scans\.0\.scannedAt: /],
    ] as const) {
      const res = await upload(scans as unknown[]);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(error);
    }
    expect((await passOf(pass.id)).usagesCount).toBe(0);
  });
});
