import { beforeAll, describe, expect, it } from 'vitest';
import { createTenant, http, type TestTenant } from '../support/tenant';
import { signedInUser } from '../support/users';

let tenant: TestTenant;
let other: TestTenant;

beforeAll(async () => {
  [tenant, other] = await Promise.all([createTenant(), createTenant()]);
});

const createLocation = (json: unknown, owner = tenant) =>
  http(`${owner.apiUrl}/locations`, { key: owner.apiKey, json });

describe('locations', () => {
  it('are created, read, listed, changed and archived, each change an event', async () => {
    const own = await createTenant();
    const created = await createLocation({ name: 'Main hall' }, own);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^loc_/),
      name: 'Main hall',
      address: null,
      timezone: 'UTC',
      latitude: null,
      longitude: null,
      capacity: null,
      reentry: false,
      occupancy: 0,
      createdAt: expect.any(String),
      archivedAt: null,
    });
    const full = await createLocation(
      {
        name: 'Club Norte',
        address: 'Rua Augusta 1, Lisboa',
        timezone: 'Europe/Lisbon',
        latitude: 38.71,
        longitude: -9.14,
        capacity: 300,
        reentry: true,
      },
      own,
    );
    expect(full.body).toMatchObject({ timezone: 'Europe/Lisbon', latitude: 38.71, capacity: 300 });
    const read = await http(`${own.apiUrl}/locations/${full.body.id}`, { key: own.apiKey });
    expect(read.body).toEqual(full.body);
    const list = await http(`${own.apiUrl}/locations?limit=1`, { key: own.apiKey });
    expect(list.headers.get('x-total-count')).toBe('2');
    expect(list.body.map((row: { id: string }) => row.id)).toEqual([full.body.id]);

    const patch = (json: unknown) =>
      http(`${own.apiUrl}/locations/${full.body.id}`, { key: own.apiKey, method: 'PATCH', json });
    const changed = await patch({ capacity: null, latitude: null, longitude: null, name: 'Norte' });
    expect(changed.body).toMatchObject({ name: 'Norte', capacity: null, latitude: null });
    expect((await patch({ name: 'Norte' })).status).toBe(200); // the same: no event
    const archive = () =>
      http(`${own.apiUrl}/locations/${created.body.id}/archive`, {
        key: own.apiKey,
        method: 'POST',
      });
    const archived = await archive();
    expect(archived.body.archivedAt).toEqual(expect.any(String));
    expect((await archive()).body.archivedAt).toBe(archived.body.archivedAt);
    const inUse = await http(`${own.apiUrl}/locations?archived=false`, { key: own.apiKey });
    expect(inUse.body.map((row: { id: string }) => row.id)).toEqual([full.body.id]);

    const events = async (event: string) =>
      (await http(`${own.apiUrl}/triggers?event=${event}`, { key: own.apiKey })).body;
    expect((await events('location.created')).map((e: { id: string }) => e.id).sort()).toEqual(
      [created.body.id, full.body.id].sort(),
    );
    const updates = await events('location.updated');
    expect(updates).toHaveLength(2);
    expect(updates.map((e: { changed: string[] }) => e.changed.sort())).toEqual(
      expect.arrayContaining([['archivedAt'], ['capacity', 'latitude', 'longitude', 'name']]),
    );
    expect(new Set(updates.map((e: { id: string }) => e.id)).size).toBe(2);
  });

  it('refuses bad input naming the field, and changes nothing', async () => {
    const own = await createTenant();
    const cases: [unknown, RegExp][] = [
      [{}, /^name: /],
      [
        { name: 'A', timezone: 'Mars/Olympus_Mons' },
        /^timezone: timezone must be an IANA time zone/,
      ],
      [{ name: 'A', timezone: '+05:00' }, /^timezone: /],
      [{ name: 'A', latitude: 91, longitude: 0 }, /^latitude: latitude must be between -90 and 90/],
      [{ name: 'A', latitude: 0, longitude: -181 }, /^longitude: /],
      [{ name: 'A', latitude: 10 }, /^latitude: latitude and longitude come together/],
      [{ name: 'A', capacity: 0 }, /^capacity: capacity must be at least 1/],
      [{ name: 'A', capacity: 1.5 }, /^capacity: /],
      [{ name: 'A', reentry: 'yes' }, /^reentry: /],
    ];
    for (const [json, error] of cases) {
      const answer = await createLocation(json, own);
      expect(answer.status, JSON.stringify(json)).toBe(400);
      expect(answer.body.error, JSON.stringify(json)).toMatch(error);
    }
    const hall = await createLocation({ name: 'Hall' }, own);
    const patched = await http(`${own.apiUrl}/locations/${hall.body.id}`, {
      key: own.apiKey,
      method: 'PATCH',
      json: { latitude: 1 },
    });
    expect(patched.status).toBe(400);
    expect(await own.counts()).toMatchObject({ events: 1 });
    const list = await http(`${own.apiUrl}/locations`, { key: own.apiKey });
    expect(list.body).toHaveLength(1);
  });

  it('are written by admins and full keys, read by staff, and never seen by another tenant', async () => {
    const hall = await createLocation({ name: 'Staff hall' });
    const staff = await signedInUser(tenant, { role: 'staff' });
    expect((await staff.call(`/locations/${hall.body.id}`)).status).toBe(200);
    const write = await staff.call('/locations', { method: 'POST', json: { name: 'No' } });
    expect(write.status).toBe(403);
    const theirs = await http(`${other.apiUrl}/locations/${hall.body.id}`, { key: other.apiKey });
    expect(theirs.status).toBe(404);
    const listed = await http(`${other.apiUrl}/locations`, { key: other.apiKey });
    expect(listed.body.map((row: { id: string }) => row.id)).not.toContain(hall.body.id);
  });
});

describe('a pass at a location', () => {
  it('must name a location of its tenant that is in use; null or none is every location', async () => {
    const hall = await createLocation({ name: 'Hall A', address: 'Dock 4, Harbour Road' });
    const theirs = await createLocation({ name: 'Theirs' }, other);
    const archived = await createLocation({ name: 'Gone' });
    await http(`${tenant.apiUrl}/locations/${archived.body.id}/archive`, {
      key: tenant.apiKey,
      method: 'POST',
    });
    const before = await tenant.counts();
    for (const [locationId, error] of [
      ['loc_nothing', 'locationId: no such location'],
      ['', 'locationId: no such location'],
      [theirs.body.id, 'locationId: no such location'],
      [archived.body.id, `locationId: location ${archived.body.id} is archived`],
    ]) {
      const refused = await http(`${tenant.apiUrl}/passes`, {
        key: tenant.apiKey,
        json: { type: 'single', name: 'Nowhere', locationId },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe(error);
    }
    expect(await tenant.counts()).toEqual(before);

    const bound = await tenant.newPass({ name: 'Hall guest', locationId: hall.body.id });
    const anywhere = await tenant.newPass({ name: 'Anywhere guest', locationId: null });
    const read = await http(`${tenant.apiUrl}/passes/${bound.id}`, { key: tenant.apiKey });
    expect(read.body.locationId).toBe(hall.body.id);
    const free = await http(`${tenant.apiUrl}/passes/${anywhere.id}`, { key: tenant.apiKey });
    expect(free.body.locationId).toBeNull();
    const filtered = await http(`${tenant.apiUrl}/passes?locationId=${hall.body.id}`, {
      key: tenant.apiKey,
    });
    expect(filtered.body.map((pass: { id: string }) => pass.id)).toEqual([bound.id]);
    // The holder's page says where.
    const page = await fetch(bound.publicUrl);
    const html = await page.text();
    expect(html).toContain('<dd class="location">Hall A<br>Dock 4, Harbour Road</dd>');

    // Moved by a PATCH, to a location in use of its own tenant, or to every location.
    const move = (locationId: string | null) =>
      http(`${tenant.apiUrl}/passes/${anywhere.id}`, {
        key: tenant.apiKey,
        method: 'PATCH',
        json: { locationId },
      });
    const unmoved = await tenant.counts();
    for (const [locationId, error] of [
      [theirs.body.id, 'locationId: no such location'],
      [archived.body.id, `locationId: location ${archived.body.id} is archived`],
    ]) {
      const refused = await move(locationId);
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe(error);
    }
    expect(await tenant.counts()).toEqual(unmoved);
    expect((await move(hall.body.id)).body.locationId).toBe(hall.body.id);
    expect((await move(null)).body.locationId).toBeNull();
  });

  it('and a door: a device stands at a location of its tenant, or at none', async () => {
    const hall = await createLocation({ name: 'Door hall' });
    const theirs = await createLocation({ name: 'Their hall' }, other);
    const made = await http(`${tenant.apiUrl}/devices`, {
      key: tenant.apiKey,
      json: { name: 'Hall door', locationId: hall.body.id },
    });
    expect(made.body.device.locationId).toBe(hall.body.id);
    const refused = await http(`${tenant.apiUrl}/devices`, {
      key: tenant.apiKey,
      json: { name: 'Wrong door', locationId: theirs.body.id },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('locationId: no such location');
    const empty = await http(`${tenant.apiUrl}/devices`, {
      key: tenant.apiKey,
      json: { name: 'Empty door', locationId: '' },
    });
    expect(empty.body.error).toBe('locationId: no such location');
    const patch = (json: unknown) =>
      http(`${tenant.apiUrl}/devices/${made.body.device.id}`, {
        key: tenant.apiKey,
        method: 'PATCH',
        json,
      });
    expect((await patch({ locationId: theirs.body.id })).status).toBe(400);
    const moved = await patch({ locationId: null, name: 'Any door' });
    expect(moved.body).toMatchObject({ name: 'Any door', locationId: null });
    const theirPatch = await http(`${other.apiUrl}/devices/${made.body.device.id}`, {
      key: other.apiKey,
      method: 'PATCH',
      json: { name: 'Taken' },
    });
    expect(theirPatch.status).toBe(404);
  });
});
