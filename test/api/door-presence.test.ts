import { beforeAll, describe, expect, it } from 'vitest';
import { createTenant, http, type TestTenant } from '../support/tenant';

// What a door knows of who is inside, through its sync, and the exits nothing may go
// unrecorded: a code that is no pass, let out and written down.

let tenant: TestTenant;
let club: string;
let hall: string;
/** A door at the club (its key and its device id), and a door at no location. */
let clubDoor: { key: string; id: string };
let sideDoor: { key: string; id: string };

const scan = (key: string, json: Record<string, unknown>, headers?: Record<string, string>) =>
  http(`${tenant.apiUrl}/scan`, { key, json, ...(headers ? { headers } : {}) });

/** Syncs to the end from `cursor`: every pass it sent by code, and the cursor it ended at. */
async function syncFrom(key: string, cursor?: string) {
  const passes = new Map<string, { inside: boolean | null; usagesCount: number }>();
  let at = cursor;
  for (;;) {
    const page = await http(
      `${tenant.apiUrl}/scanner/sync${at ? `?cursor=${encodeURIComponent(at)}` : ''}`,
      { key },
    );
    expect(page.status, page.text).toBe(200);
    for (const pass of page.body.passes) passes.set(pass.code, pass);
    at = page.body.cursor as string;
    if (!page.body.hasMore) return { passes, cursor: at };
  }
}

beforeAll(async () => {
  tenant = await createTenant();
  const location = async (json: Record<string, unknown>) =>
    (await http(`${tenant.apiUrl}/locations`, { key: tenant.apiKey, json })).body.id as string;
  [club, hall] = await Promise.all([
    location({ name: 'Club', reentry: true }),
    location({ name: 'Hall' }),
  ]);
  [clubDoor, sideDoor] = await Promise.all([
    tenant.pairDoor('Club door', club),
    tenant.pairDoor('Side door', null),
  ]);
});

describe("a door's sync carries each pass's presence", () => {
  it('sends a pass again when it goes in, out, or is reset, with where it is', async () => {
    const pass = await tenant.newPass({ name: 'Smoker' });
    const first = await syncFrom(clubDoor.key);
    expect(first.passes.get(pass.code)).toMatchObject({ inside: null });

    expect((await scan(clubDoor.key, { code: pass.code })).body.result).toBe('success');
    const afterEntry = await syncFrom(clubDoor.key, first.cursor);
    expect([...afterEntry.passes.keys()]).toEqual([pass.code]);
    expect(afterEntry.passes.get(pass.code)).toMatchObject({ inside: true, usagesCount: 1 });

    // An exit changes nothing of the pass but where it is: it comes again all the same.
    expect((await scan(clubDoor.key, { code: pass.code, direction: 'exit' })).body.result).toBe(
      'success',
    );
    const afterExit = await syncFrom(clubDoor.key, afterEntry.cursor);
    expect(afterExit.passes.get(pass.code)).toMatchObject({ inside: false, usagesCount: 1 });

    // Back in without a use (the club lets it), then everyone out at closing.
    expect((await scan(clubDoor.key, { code: pass.code })).body.pass.usagesCount).toBe(1);
    const back = await syncFrom(clubDoor.key, afterExit.cursor);
    expect(back.passes.get(pass.code)).toMatchObject({ inside: true });
    const reset = await http(`${tenant.apiUrl}/locations/${club}/reset-presence`, {
      key: tenant.apiKey,
      method: 'POST',
    });
    expect(reset.status).toBe(200);
    const closed = await syncFrom(clubDoor.key, back.cursor);
    expect(closed.passes.get(pass.code)).toMatchObject({ inside: false });
    const quiet = await syncFrom(clubDoor.key, closed.cursor);
    expect(quiet.passes.size).toBe(0);
  });

  it("reads presence where the door's scans count, and starts over when the door moves", async () => {
    const clubPass = await tenant.newPass({ name: 'Member', locationId: club, type: 'multi' });
    await scan(clubDoor.key, { code: clubPass.code });
    // A door at no location counts a pass at the pass's own location.
    const side = await syncFrom(sideDoor.key);
    expect(side.passes.get(clubPass.code)).toMatchObject({ inside: true });

    const before = await syncFrom(clubDoor.key);
    expect(before.passes.get(clubPass.code)).toMatchObject({ inside: true });
    const moved = await http(`${tenant.apiUrl}/devices/${clubDoor.id}`, {
      key: tenant.apiKey,
      method: 'PATCH',
      json: { locationId: hall },
    });
    expect(moved.status, moved.text).toBe(200);
    // Nothing changed, yet every pass comes again, its presence read at the hall.
    const again = await syncFrom(clubDoor.key, before.cursor);
    expect(again.passes.size).toBe(before.passes.size);
    expect(again.passes.get(clubPass.code)).toMatchObject({ inside: null });
    await http(`${tenant.apiUrl}/devices/${clubDoor.id}`, {
      key: tenant.apiKey,
      method: 'PATCH',
      json: { locationId: club },
    });
  });
});

describe('an exit of a code that is no pass', () => {
  it('is answered 404 and recorded once, where the door is; an unknown entry writes nothing', async () => {
    const before = await tenant.counts();
    const entry = await scan(clubDoor.key, { code: 'NoPassHere12' });
    expect(entry.status).toBe(404);
    expect(await tenant.counts()).toEqual(before);

    const key = { 'idempotency-key': 'unknown-exit-1' };
    for (let i = 0; i < 2; i++) {
      const out = await scan(clubDoor.key, { code: 'NoPassHere12', direction: 'exit' }, key);
      expect(out.status).toBe(404);
      expect(out.body.error).toMatch(/^Unknown pass/);
    }
    // The phone's upload of one it let out offline: recorded at the phone's time.
    const at = new Date(Date.now() - 60_000).toISOString();
    const uploaded = await scan(clubDoor.key, {
      code: 'OfflineNone1',
      direction: 'exit',
      offline: true,
      scannedAt: at,
      localResult: 'success',
    });
    expect(uploaded.status).toBe(404);
    // Two scans, no event: there is no pass to tell anyone about.
    expect(await tenant.counts()).toEqual({ ...before, scans: before.scans + 2 });

    const listed = await http(`${tenant.apiUrl}/scans?result=unknown_pass`, {
      key: tenant.apiKey,
    });
    expect(listed.body).toEqual([
      expect.objectContaining({
        passId: null,
        code: 'OfflineNone1',
        result: 'unknown_pass',
        success: false,
        offline: true,
        direction: 'exit',
        locationId: club,
        deviceId: clubDoor.id,
        scannedAt: at,
      }),
      expect.objectContaining({
        passId: null,
        code: 'NoPassHere12',
        name: null,
        result: 'unknown_pass',
        offline: false,
        direction: 'exit',
        locationId: club,
      }),
    ]);
    // An undo of it has nothing to give back.
    const undo = await http(`${tenant.apiUrl}/scans/${listed.body[0].id}/annul`, {
      key: tenant.apiKey,
      method: 'POST',
      json: {},
    });
    expect(undo.status).toBe(409);
    expect(undo.body.error).toMatch(/admitted nobody/);
  });

  it('is recorded as an exit of the pass when the server knows the code the phone did not', async () => {
    const walkIn = await tenant.newPass({ name: 'Walk-in', locationId: club });
    await scan(clubDoor.key, { code: walkIn.code });
    const out = await scan(clubDoor.key, {
      code: walkIn.code,
      direction: 'exit',
      offline: true,
      scannedAt: new Date().toISOString(),
      localResult: 'success',
    });
    expect(out.body).toMatchObject({ result: 'success', scan: { direction: 'exit' } });
    const synced = await syncFrom(clubDoor.key);
    expect(synced.passes.get(walkIn.code)).toMatchObject({ inside: false, usagesCount: 1 });
  });
});
