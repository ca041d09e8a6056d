import { beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromiumProfile } from '../support/browser';
import {
  held,
  listIsSynced,
  openDoor,
  passOf,
  scanAt,
  scansOf,
  storedPass,
  syncNow,
  typeCode,
  undo,
  useDoorBrowsers,
} from '../support/door-pages';
import { startReceiver } from '../support/receiver';
import { createTenant, http, type TestTenant } from '../support/tenant';

// The door as an edge app: paired by a one-time link, deciding on the phone when the network is
// gone (Playwright's setOffline cuts the page's network), and reconciling afterwards.
useDoorBrowsers();

let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTenant();
});

describe.skipIf(!hasChromium())('the door, offline and back', () => {
  it('pairs by a one-time link, takes the token out of the address bar, and syncs', async () => {
    const pass = await tenant.newPass({ name: 'Synced' });
    const { page, deviceId } = await openDoor(tenant, 'Gate B');
    expect(new URL(page.url()).pathname).toBe('/scanner/');
    expect(page.url()).not.toContain('#');
    expect((await held(page)).passes).toBeGreaterThanOrEqual(1);
    await page.locator('#open-settings').click();
    expect(await page.locator('#paired-with').textContent()).toMatch(/· door Gate B$/);
    const devices = await http(`${tenant.apiUrl}/devices`, { key: tenant.apiKey });
    const device = devices.body.find((d: { id: string }) => d.id === deviceId);
    expect(device.lastSyncAt).toEqual(expect.any(String));
    expect(device.lastSeenAt).toEqual(expect.any(String));
    // The link worked once: opening it again pairs nothing.
    await page.locator('#close-settings').click();
    expect(pass.code).toBeTruthy();
  });

  it('decides offline, keeps its queue through a reload, and uploads it once back online', async () => {
    const owner = await createTenant();
    const guest = await owner.newPass({ name: 'Offline guest', clientName: 'Ada' });
    const revoked = await owner.newPass({ name: 'Revoked guest' });
    await http(`${owner.apiUrl}/passes/${revoked.id}/revoke`, {
      key: owner.apiKey,
      method: 'POST',
    });
    const door = await openDoor(owner);
    const { page, context } = door;
    // The reload below, with no network, is served by the service worker: wait until it has
    // installed and taken the page (on a busy machine that takes a while after the first load).
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

    await context.setOffline(true);
    await expect.poll(() => page.locator('#door-status').textContent()).toMatch(/^Offline/);
    expect(await scanAt(page, guest.code)).toEqual({
      tone: 'admit',
      title: 'ADMIT · offline',
      detail: 'Ada · Offline guest',
    });
    const again = await scanAt(page, guest.code);
    expect(again.title).toBe('Already used · offline');
    expect((await scanAt(page, revoked.code)).title).toBe('Revoked · offline');
    const unknown = await scanAt(page, 'ZZZZZZZZZZZZ');
    expect(unknown.title).toBe('Unknown pass · offline');
    expect(unknown.detail).toMatch(/may be old/);
    expect(await page.locator('#door-status').textContent()).toMatch(
      /^Offline · 3 waiting · list from \d/,
    );

    await page.reload();
    await page.locator('#scan').waitFor({ state: 'visible' });
    await expect
      .poll(() => page.locator('#door-status').textContent())
      .toMatch(/^Offline · 3 waiting/);
    expect((await held(page)).queue).toBe(3);
    expect((await passOf(owner, guest.id)).usagesCount).toBe(0);

    await context.setOffline(false);
    await listIsSynced(page);
    const pass = await passOf(owner, guest.id);
    expect(pass).toMatchObject({ usagesCount: 1, status: 'used' });
    const scans = await scansOf(owner, `passId=${guest.id}`);
    expect(scans.map((scan: { result: string }) => scan.result)).toEqual([
      'already_used',
      'success',
    ]);
    for (const scan of scans) {
      expect(scan).toMatchObject({ offline: true, deviceId: door.deviceId, conflict: null });
      expect(new Date(scan.scannedAt).getTime()).toBeLessThan(new Date(scan.receivedAt).getTime());
    }
    expect(await scansOf(owner, `passId=${revoked.id}`)).toEqual([
      expect.objectContaining({ result: 'revoked', offline: true }),
    ]);
  });

  it('refuses offline a pass revoked through the API since its last sync', async () => {
    const owner = await createTenant();
    const pass = await owner.newPass({ name: 'Revoked later' });
    const { page, context } = await openDoor(owner);
    await http(`${owner.apiUrl}/passes/${pass.id}/revoke`, { key: owner.apiKey, method: 'POST' });
    await syncNow(page);
    await expect.poll(async () => (await storedPass(page, pass.code))?.status).toBe('revoked');
    await context.setOffline(true);
    expect((await scanAt(page, pass.code)).title).toBe('Revoked · offline');
  });

  it('admits one single pass at two offline doors, and reconciles to one conflict', async () => {
    const owner = await createTenant();
    const receiver = await startReceiver();
    try {
      const hook = await http(`${owner.apiUrl}/webhooks`, {
        key: owner.apiKey,
        json: { event: 'scan.conflict', targetUrl: receiver.url },
      });
      expect(hook.status).toBe(201);
      const pass = await owner.newPass({ name: 'Twice' });
      const [north, south] = await Promise.all([
        openDoor(owner, 'North'),
        openDoor(owner, 'South'),
      ]);
      await Promise.all([north.context.setOffline(true), south.context.setOffline(true)]);
      for (const door of [north, south]) {
        await expect
          .poll(() => door.page.locator('#door-status').textContent())
          .toMatch(/^Offline/);
        expect((await scanAt(door.page, pass.code)).title).toBe('ADMIT · offline');
      }
      await north.context.setOffline(false);
      await listIsSynced(north.page);
      await south.context.setOffline(false);
      await listIsSynced(south.page);

      expect((await passOf(owner, pass.id)).usagesCount).toBe(2);
      const conflicts = await scansOf(owner, 'conflict=true');
      expect(conflicts).toEqual([
        expect.objectContaining({ passId: pass.id, conflict: 'already_used', deviceName: 'South' }),
      ]);
      const [delivered] = await receiver.waitFor((hooks) => hooks.length >= 1);
      expect(delivered?.json).toMatchObject({
        event: 'scan.conflict',
        data: { passId: pass.id, conflict: 'already_used' },
      });
      // Exactly one: the scan.conflict subscription got one message for one conflict. The
      // attempt is recorded once the receiver has answered, a moment after it saw the message.
      await expect
        .poll(
          async () =>
            (
              await http(`${owner.apiUrl}/webhooks/${hook.body.id}/deliveries`, {
                key: owner.apiKey,
              })
            ).body,
        )
        .toHaveLength(1);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('undoes an admit online at once, and offline through the queue', async () => {
    const owner = await createTenant();
    const online = await owner.newPass({ name: 'Undo online' });
    const offline = await owner.newPass({ name: 'Undo offline' });
    const { page, context } = await openDoor(owner);

    expect((await scanAt(page, online.code)).title).toBe('ADMIT');
    await undo(page);
    await expect.poll(async () => (await passOf(owner, online.id)).usagesCount).toBe(0);
    expect((await scansOf(owner, `passId=${online.id}`))[0].annulledAt).toEqual(expect.any(String));

    await context.setOffline(true);
    await expect.poll(() => page.locator('#door-status').textContent()).toMatch(/^Offline/);
    expect((await scanAt(page, offline.code)).title).toBe('ADMIT · offline');
    await undo(page);
    // Undone on the phone: the pass admits again.
    expect((await scanAt(page, offline.code)).title).toBe('ADMIT · offline');
    await page.locator('#verdict').click();
    expect(await page.locator('#door-status').textContent()).toMatch(/^Offline · 3 waiting/);
    await context.setOffline(false);
    await listIsSynced(page);
    expect((await passOf(owner, offline.id)).usagesCount).toBe(1);
    const scans = await scansOf(owner, `passId=${offline.id}`);
    expect(
      scans.map((scan: { annulledAt: string | null }) => scan.annulledAt !== null).sort(),
    ).toEqual([false, true]);
  });

  it('drops an upload the server refuses for good, and says so in the last scans', async () => {
    const owner = await createTenant();
    const pass = await owner.newPass({ name: 'Too late' });
    const { page, context } = await openDoor(owner);
    // The wait for the server is a setting of the door.
    await page.locator('#open-settings').click();
    await page.locator('#timeout-input').fill('1');
    await page.locator('#timeout-form button').click();
    await page.locator('#open-settings').click();
    expect(await page.locator('#timeout-input').inputValue()).toBe('1');
    await page.locator('#close-settings').click();

    // Scanned offline on a phone whose clock says eight days ago: the server takes uploads of at
    // most seven days, so it refuses this one for good (400).
    await context.setOffline(true);
    await expect.poll(() => page.locator('#door-status').textContent()).toMatch(/^Offline/);
    await page.clock.setSystemTime(new Date(Date.now() - 8 * 86_400_000));
    expect((await scanAt(page, pass.code)).title).toBe('ADMIT · offline');
    await page.clock.setSystemTime(new Date());
    await context.setOffline(false);
    await listIsSynced(page);
    await page.locator('#verdict').evaluate((el) => el.setAttribute('hidden', ''));
    expect(await page.locator('#history li').first().textContent()).toMatch(
      new RegExp(`Upload refused · ${pass.code} · scannedAt: .*7 days`),
    );
    expect(await scansOf(owner, `passId=${pass.id}`)).toEqual([]);
  });

  it('wipes what it holds when its device is revoked, and asks to be paired again', async () => {
    const owner = await createTenant();
    const pass = await owner.newPass();
    const { page, deviceId } = await openDoor(owner);
    expect((await held(page)).passes).toBe(1);
    await http(`${owner.apiUrl}/devices/${deviceId}/revoke`, { key: owner.apiKey, method: 'POST' });
    await typeCode(page, pass.code);
    await page.locator('#settings').waitFor({ state: 'visible' });
    expect(await page.locator('#paired-with').textContent()).toBe(
      'This scanner was removed. Pair it again.',
    );
    expect(await held(page)).toEqual({ passes: 0, queue: 0 });
    expect(await page.evaluate(() => localStorage.getItem('passgate.apiKey'))).toBeNull();
  });
});

describe.skipIf(!hasChromium())('the door through a browser restart', () => {
  it('uploads its queue exactly once after the browser is killed as the upload is answered', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const profile = mkdtempSync(path.join(tmpdir(), 'passgate-door-profile-'));
    const launch = () => launchChromiumProfile(profile);
    try {
      const owner = await createTenant();
      const passes = await Promise.all(
        [1, 2, 3, 4, 5, 6].map((i) => owner.newPass({ name: `Guest ${i}` })),
      );
      const created = await http(`${owner.apiUrl}/devices`, {
        key: owner.apiKey,
        json: { name: 'Restarted door' },
      });
      let context = await launch();
      let page = context.pages()[0] ?? (await context.newPage());
      await page.goto(created.body.pairingUrl);
      await listIsSynced(page);
      await context.setOffline(true);
      await expect.poll(() => page.locator('#door-status').textContent()).toMatch(/^Offline/);
      for (const pass of passes)
        expect((await scanAt(page, pass.code)).title).toBe('ADMIT · offline');
      await expect.poll(() => page.locator('#door-status').textContent()).toMatch(/ 6 waiting/);
      // Back online, and the browser killed as soon as the upload is answered: the server has
      // recorded the scans, and the phone has not yet taken them off its queue.
      const firstUpload = page.waitForResponse((res) =>
        res.url().endsWith('/api/v1/scanner/uploads'),
      );
      await context.setOffline(false);
      await firstUpload;
      await context.close();

      context = await launch();
      page = context.pages()[0] ?? (await context.newPage());
      await page.goto(`${new URL(created.body.pairingUrl).origin}/scanner/`);
      await listIsSynced(page);
      const scans = await scansOf(owner, 'limit=100');
      expect(scans).toHaveLength(6);
      expect(new Set(scans.map((scan: { passId: string }) => scan.passId)).size).toBe(6);
      for (const pass of passes) expect((await passOf(owner, pass.id)).usagesCount).toBe(1);
      await context.close();
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasChromium())('the door at a location', () => {
  it('stands at its location: refuses a pass of another online and offline, and lets guests out', async () => {
    const owner = await createTenant();
    const location = async (name: string) =>
      (await http(`${owner.apiUrl}/locations`, { key: owner.apiKey, json: { name } })).body.id;
    const [hallA, hallB] = [await location('Hall A'), await location('Hall B')];
    const theirs = await owner.newPass({ name: 'Hall B guest', locationId: hallB });
    const ours = await owner.newPass({ name: 'Hall A guest', locationId: hallA });
    const { page, context } = await openDoor(owner, 'A door', hallA);
    // Where it stands shows on the scan screen, with the way it lets passes through.
    await expect.poll(() => page.locator('#door-name').textContent()).toBe('A door · Hall A');
    expect(await page.locator('#direction').textContent()).toBe('ENTRY');

    expect(await scanAt(page, theirs.code)).toMatchObject({
      tone: 'reject',
      title: 'Not for this place',
    });
    expect(await scanAt(page, ours.code)).toMatchObject({ tone: 'admit', title: 'ADMIT' });
    // Exit mode: the screen says so, and the used pass goes out.
    await page.locator('#switch-direction').click();
    expect(await page.locator('#direction').textContent()).toBe('EXIT · letting guests out');
    expect(await page.evaluate(() => document.body.dataset.direction)).toBe('exit');
    expect(await scanAt(page, ours.code)).toMatchObject({ tone: 'admit', title: 'ADMIT' });

    await context.setOffline(true);
    await expect.poll(() => page.locator('#door-status').textContent()).toMatch(/^Offline/);
    expect(await scanAt(page, theirs.code)).toMatchObject({
      tone: 'reject',
      title: 'Not for this place · offline',
    });
    // Offline too the used pass goes out, counting nothing; back in, the rule refuses it.
    expect(await scanAt(page, ours.code)).toMatchObject({
      tone: 'admit',
      title: 'ADMIT · offline',
    });
    await page.locator('#switch-direction').click();
    expect(await scanAt(page, ours.code)).toMatchObject({ title: 'Already used · offline' });
    await context.setOffline(false);
    await listIsSynced(page);
    const scans = await scansOf(owner, `passId=${ours.id}`);
    expect(
      scans.map((scan: { direction: string; result: string; offline: boolean }) => [
        scan.direction,
        scan.result,
        scan.offline,
      ]),
    ).toEqual([
      ['entry', 'already_used', true],
      ['exit', 'success', true],
      ['exit', 'success', false],
      ['entry', 'success', false],
    ]);
    expect((await passOf(owner, ours.id)).usagesCount).toBe(1);
  });

  it('lets a single pass step out and back in where the location allows it, online and offline', async () => {
    const owner = await createTenant();
    const club = (
      await http(`${owner.apiUrl}/locations`, {
        key: owner.apiKey,
        json: { name: 'Club', reentry: true },
      })
    ).body.id;
    const smoker = await owner.newPass({ name: 'Smoker', locationId: club });
    const { page, context } = await openDoor(owner, 'Club door', club);
    const out = () => page.locator('#switch-direction').click();
    expect(await scanAt(page, smoker.code)).toMatchObject({ title: 'ADMIT' });
    await out();
    expect(await scanAt(page, smoker.code)).toMatchObject({ title: 'ADMIT' });
    await out();
    expect(await scanAt(page, smoker.code)).toMatchObject({ title: 'ADMIT' });
    expect(await scanAt(page, smoker.code)).toMatchObject({ title: 'Already used' });
    // Out through another door: this door learns it from its sync, and keeps it through a
    // reload with no network, so it lets the smoker back in offline.
    const otherDoor = await http(`${owner.apiUrl}/scan`, {
      key: owner.apiKey,
      json: { code: smoker.code, direction: 'exit', locationId: club },
    });
    expect(otherDoor.body.result).toBe('success');
    await syncNow(page);
    await expect.poll(async () => (await storedPass(page, smoker.code))?.inside).toBe(false);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await context.setOffline(true);
    await page.reload();
    await page.locator('#scan').waitFor({ state: 'visible' });
    await expect.poll(() => page.locator('#door-status').textContent()).toMatch(/^Offline/);
    expect(await scanAt(page, smoker.code)).toMatchObject({ title: 'ADMIT · offline' });
    // And out and in again on its own scans.
    await out();
    expect(await scanAt(page, smoker.code)).toMatchObject({ title: 'ADMIT · offline' });
    await out();
    expect(await scanAt(page, smoker.code)).toMatchObject({ title: 'ADMIT · offline' });
    await context.setOffline(false);
    await listIsSynced(page);
    expect((await passOf(owner, smoker.id)).usagesCount).toBe(1);
    const conflicts = await scansOf(owner, `passId=${smoker.id}&conflict=true`);
    expect(conflicts).toEqual([]);
  });
});
