import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import {
  makeWalletCertificates,
  PASS_TYPE_ID,
  startFakeApns,
} from '../../test/support/apple-wallet';
import { createFreshDatabase } from '../../test/support/database';
import { startReceiver } from '../../test/support/receiver';
import { startServer } from '../../test/support/server';
import { createTenant, http, type TestTenant } from '../../test/support/tenant';
import { HOOK_TRIGGERS, hookTriggers } from '../src/triggers';
import { appTester, connection, hookBundle } from './support';

// Every instant trigger, as Zapier runs it: a Zap turned on subscribes (a webhook appears on
// the server), the event happens through the API, the server's real signed delivery reaches a
// local receiver and goes to `perform` the way Zapier hands it over; a delivery changed on the
// way, or signed with another secret, is ignored; `performList` (the editor's samples and the
// polling fallback) gives the same item first; a Zap turned off unsubscribes.

type HookKey = (typeof HOOK_TRIGGERS)[number][0];
const EVENT_OF = Object.fromEntries(HOOK_TRIGGERS.map(([key, event]) => [key, event]));

let tenant: TestTenant;
const closers: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  tenant = await createTenant();
});
afterAll(async () => {
  // In order: a server stops before its database goes.
  for (const close of closers) await close();
});

const call = (path: string, options: Parameters<typeof http>[1] = {}) =>
  http(`${tenant.apiUrl}${path}`, { key: tenant.apiKey, ...options });

/**
 * Turns a Zap on `trigger`, makes `happen` (which makes `count` events of its kind), and checks
 * the round trip; answers the items `perform` gave, in the order they happened.
 */
async function roundTrip(
  trigger: HookKey,
  happen: () => Promise<unknown>,
  count = 1,
  owner = tenant,
) {
  // A key of its own: /webhooks and /triggers allow 10 requests a minute a key.
  const authData = connection(owner, (await owner.createKey()).apiKey);
  const receiver = await startReceiver();
  closers.push(receiver.close);
  const operation = hookTriggers[trigger]!.operation;
  const logged = vi.spyOn(console, 'log');
  const subscribeData = await appTester(operation.performSubscribe, {
    authData,
    targetUrl: receiver.url,
  });
  expect(subscribeData).toEqual({ id: expect.stringMatching(/^wh_/), secret: expect.any(String) });
  const hooks = async () =>
    (await http(`${owner.apiUrl}/webhooks`, { key: authData.apiKey })).body as { id: string }[];
  expect(await hooks()).toContainEqual(
    expect.objectContaining({ id: subscribeData.id, event: EVENT_OF[trigger], active: true }),
  );

  await happen();
  const delivered = await receiver.waitFor((received) => received.length >= count);
  // Deliveries go out side by side: put them in the order their events happened.
  const inOrder = [...delivered].sort((a, b) => a.json.createdAt.localeCompare(b.json.createdAt));
  const items = [];
  for (const hook of inOrder) {
    const bundle = hookBundle(hook, authData, subscribeData);
    const performed = await appTester(operation.perform, bundle);
    expect(performed, trigger).toHaveLength(1);
    items.push(performed[0]);
    // Changed on the way, or signed with another secret: ignored.
    const changed = hook.body.replace(/"createdAt":"/, '"createdAt":"1');
    const tampered = { ...bundle, rawRequest: { ...bundle.rawRequest, content: changed } };
    expect(await appTester(operation.perform, tampered)).toEqual([]);
    const forged = { ...subscribeData, secret: `whsec_${randomBytes(24).toString('base64')}` };
    expect(await appTester(operation.perform, { ...bundle, subscribeData: forged })).toEqual([]);
  }
  // Each one ignored with its reason in the Zap's log.
  const reasons = logged.mock.calls.filter(([line]) => /Passgate did not sign/.test(String(line)));
  expect(reasons).toHaveLength(2 * count);
  logged.mockRestore();
  expect(new Set(items.map((item) => item.id)).size).toBe(count);

  // The same items, newest first, with unique ids.
  const listed = await appTester(operation.performList, { authData });
  expect(listed.slice(0, count)).toEqual([...items].reverse());
  expect(new Set(listed.map((item: { id: string }) => item.id)).size).toBe(listed.length);

  await appTester(operation.performUnsubscribe, { authData, subscribeData });
  expect((await hooks()).map((hook) => hook.id)).not.toContain(subscribeData.id);
  return items;
}

describe('instant triggers on passes and scans', () => {
  it('new_pass: each pass created, newest first in the list', async () => {
    const [first, second] = await roundTrip(
      'new_pass',
      async () => {
        await tenant.newPass({ name: 'Zap first', clientName: 'Zap First Holder' });
        await tenant.newPass({ name: 'Zap second' });
      },
      2,
    );
    expect(first).toMatchObject({ name: 'Zap first', clientName: 'Zap First Holder' });
    expect(second).toMatchObject({ name: 'Zap second', id: expect.stringMatching(/^pass_/) });
  });

  it('pass_scanned, pass_status_changed and scan_annulled', async () => {
    const door = await tenant.pairDoor('Zap door');
    const pass = await tenant.newPass({ name: 'Zap scanned' });
    let scanId = '';
    const [scanned] = await roundTrip('pass_scanned', async () => {
      scanId = (await call('/scan', { key: door.key, json: { code: pass.code } })).body.scan.id;
    });
    expect(scanned).toMatchObject({ id: scanId, passId: pass.id, result: 'success' });
    const [annulled] = await roundTrip('scan_annulled', () =>
      call(`/scans/${scanId}/annul`, { key: door.key, method: 'POST' }),
    );
    expect(annulled).toMatchObject({ id: scanId, annulledAt: expect.any(String) });
    const [changed] = await roundTrip('pass_status_changed', () =>
      call(`/passes/${pass.id}/revoke`, { method: 'POST' }),
    );
    expect(changed).toMatchObject({
      id: expect.stringMatching(/^evt_/),
      passId: pass.id,
      from: 'active',
      to: 'revoked',
    });
  });

  it('scan_conflict: an offline admit the rule refuses', async () => {
    const door = await tenant.pairDoor('Zap offline door');
    const pass = await tenant.newPass({ name: 'Zap conflict' });
    await call('/scan', { json: { code: pass.code } });
    const [conflict] = await roundTrip('scan_conflict', () =>
      call('/scan', {
        key: door.key,
        headers: { 'idempotency-key': randomUUID() },
        json: {
          code: pass.code,
          offline: true,
          scannedAt: new Date(Date.now() - 60_000).toISOString(),
          localResult: 'success',
        },
      }),
    );
    expect(conflict).toMatchObject({ passId: pass.id, conflict: 'already_used', offline: true });
  });
});

describe('instant triggers on clients and locations', () => {
  it('new_client and clients_merged', async () => {
    let kept = '';
    const [client] = await roundTrip('new_client', async () => {
      kept = (await call('/clients', { json: { name: 'Zap Client Kept' } })).body.id;
    });
    expect(client).toMatchObject({ id: kept, name: 'Zap Client Kept' });
    const from = (await call('/clients', { json: { name: 'Zap Client Gone' } })).body.id;
    const [merged] = await roundTrip('clients_merged', () =>
      call(`/clients/${from}/merge`, { json: { into: kept } }),
    );
    expect(merged).toMatchObject({ clientId: kept, mergedId: from, mergedName: 'Zap Client Gone' });
  });

  it('new_location, location_updated and location_full', async () => {
    let room = '';
    const [created] = await roundTrip('new_location', async () => {
      room = (await call('/locations', { json: { name: 'Zap room', capacity: 1 } })).body.id;
    });
    expect(created).toMatchObject({ id: room, name: 'Zap room', capacity: 1 });
    const [updated] = await roundTrip('location_updated', () =>
      call(`/locations/${room}`, { method: 'PATCH', json: { name: 'Zap room (small)' } }),
    );
    expect(updated).toMatchObject({ locationId: room, name: 'Zap room (small)' });
    const guest = await tenant.newPass({ name: 'Zap guest', locationId: room });
    const [full] = await roundTrip('location_full', () =>
      call('/scan', { json: { code: guest.code, locationId: room, direction: 'entry' } }),
    );
    expect(full).toMatchObject({ locationId: room, capacity: 1 });
  });
});

describe('instant triggers on wallets', () => {
  // A server with Apple Wallet on (its pushes to a fake APNs), on a database of its own: the
  // push outbox is shared by every server of a database.
  it('pass_added_to_wallet and pass_removed_from_wallet, as a phone adds and removes the pass', async () => {
    const certificates = makeWalletCertificates();
    const apns = await startFakeApns(certificates);
    closers.push(apns.close);
    const baseUrl = inject('databaseUrl');
    const database = baseUrl ? await createFreshDatabase(baseUrl, 'passgate_zapier') : null;
    if (database) closers.push(database.drop);
    const server = await startServer({
      ...(database ? { databaseUrl: database.url } : {}),
      env: certificates.env(apns.url),
    });
    closers.unshift(server.stop);
    const holder = await createTenant({ server });
    const pass = await holder.newPass({ name: 'Zap wallet' });
    const pkpass = await fetch(pass.publicUrl.replace(/\?token=/, '/wallet.pkpass?token='));
    const token = /"authenticationToken":"([\w-]+)"/.exec(
      Buffer.from(await pkpass.arrayBuffer()).toString('latin1'),
    )?.[1];
    const registration = `${server.url}/wallet/apple/v1/devices/zap-phone/registrations/${PASS_TYPE_ID}/${pass.id}`;
    const phone = (method: string) =>
      fetch(registration, {
        method,
        headers: { authorization: `ApplePass ${token}`, 'content-type': 'application/json' },
        ...(method === 'POST' ? { body: JSON.stringify({ pushToken: 'zap-push' }) } : {}),
      });
    const [added] = await roundTrip(
      'pass_added_to_wallet',
      async () => expect((await phone('POST')).status).toBe(201),
      1,
      holder,
    );
    expect(added).toMatchObject({ passId: pass.id, wallet: 'apple', name: 'Zap wallet' });
    const [removed] = await roundTrip(
      'pass_removed_from_wallet',
      async () => expect((await phone('DELETE')).status).toBe(200),
      1,
      holder,
    );
    expect(removed).toMatchObject({ passId: pass.id, wallet: 'apple' });
  });
});
