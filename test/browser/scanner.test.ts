import path from 'node:path';
import type { Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DOOR_UPGRADES } from '../../scanner/src/store';
import { hasChromium, launchChromium } from '../support/browser';
import { SHOTS, useScannerPages } from '../support/scanner-pages';
import { createTenant, http } from '../support/tenant';
import { qrVideo } from '../support/y4m';

const scanner = useScannerPages();
const { openScanner, verdict, typeCode, newPass } = scanner;

describe.skipIf(!hasChromium())('the scanner in Chromium with a fake camera', () => {
  it('pairs through #key=, takes the key out of the address bar and shows the tenant', async () => {
    const page = await openScanner();
    expect(page.url()).toBe(`${scanner.tenant.server.url}/scanner/`);
    expect(await page.evaluate(() => localStorage.getItem('passgate.apiKey'))).toBe(
      scanner.scanKey.apiKey,
    );
    await expect.poll(() => page.locator('#tenant').textContent()).toMatch(/^Test /);
    // Which door this is, on the scan screen itself: the name each of its scans records.
    expect(await page.locator('#door-name').textContent()).toMatch(/^scanner-[0-9a-f]{8}$/);
    await page.locator('#open-settings').click();
    expect(await page.locator('#paired-with').textContent()).toContain(
      `key ${scanner.scanKey.prefix}… (scan)`,
    );
  });

  it('asks for the camera before it opens its store, and lets it go when the key is refused', async () => {
    // Records, in the page, each ask for the camera (and the stream it got) and each store opened.
    const watch = () => {
      const seen: { steps: string[]; streams: MediaStream[] } = { steps: [], streams: [] };
      Object.assign(window, { seen });
      const ask = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = async (constraints) => {
        seen.steps.push('camera');
        const stream = await ask(constraints);
        seen.streams.push(stream);
        return stream;
      };
      const open = indexedDB.open.bind(indexedDB);
      indexedDB.open = (...args: Parameters<typeof open>) => {
        seen.steps.push('store');
        return open(...args);
      };
    };
    type Seen = { seen: { steps: string[]; streams: MediaStream[] } };
    const page = await openScanner({ initScript: watch });
    await expect
      .poll(() => page.evaluate(() => document.querySelector('video')?.srcObject != null))
      .toBe(true);
    const asked = await page.evaluate(() => {
      const { steps, streams } = (window as unknown as Seen).seen;
      return { steps, shown: document.querySelector('video')?.srcObject === streams[0] };
    });
    // Asked once, first; and the stream asked for first is the one on screen.
    expect(asked.steps.filter((step) => step === 'camera')).toHaveLength(1);
    expect(asked.steps[0]).toBe('camera');
    expect(asked.steps).toContain('store');
    expect(asked.shown).toBe(true);

    // A key the server refuses: the scanner is not paired, and the camera it asked for goes off.
    const gone = await scanner.tenant.createKey({ scope: 'scan' });
    const revoked = await http(`${scanner.tenant.apiUrl}/keys/${gone.id}/revoke`, {
      key: scanner.tenant.apiKey,
      method: 'POST',
    });
    expect(revoked.status).toBe(200);
    // A phone of its own (nothing stored), opening the key's link.
    const refused = await (await page.context().browser()!.newContext()).newPage();
    await refused.addInitScript(watch);
    await refused.goto(`${scanner.tenant.server.url}/scanner/#key=${gone.apiKey}`);
    await refused.locator('#settings').waitFor({ state: 'visible' });
    await expect
      .poll(() =>
        refused.evaluate(() =>
          (window as unknown as Seen).seen.streams.map((s) => s.getVideoTracks()[0]?.readyState),
        ),
      )
      .toEqual(['ended']);
  });

  it('lets go of a camera that opens after the server refused the stored key', async () => {
    const slowCamera = () => {
      const streams: MediaStream[] = [];
      Object.assign(window, { streams });
      const ask = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      // A phone's camera that takes its time: it opens after the server has answered.
      navigator.mediaDevices.getUserMedia = async (constraints) => {
        const stream = await ask(constraints);
        streams.push(stream);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        return stream;
      };
    };
    const gone = await scanner.tenant.createKey({ scope: 'scan' });
    const page = await openScanner({ key: gone, initScript: slowCamera });
    const revoked = await http(`${scanner.tenant.apiUrl}/keys/${gone.id}/revoke`, {
      key: scanner.tenant.apiKey,
      method: 'POST',
    });
    expect(revoked.status).toBe(200);
    // Reopened with the key it keeps: it scans at once, until the server refuses the key.
    await page.reload();
    await page.locator('#settings').waitFor({ state: 'visible' });
    expect(await page.locator('#paired-with').textContent()).toBe(
      'This scanner was removed. Pair it again.',
    );
    const tracks = () =>
      page.evaluate(() =>
        (window as unknown as { streams: MediaStream[] }).streams.map(
          (stream) => stream.getVideoTracks()[0]?.readyState,
        ),
      );
    await expect.poll(tracks, { timeout: 10_000 }).toEqual(['ended']);
    expect(await page.locator('#settings').isVisible()).toBe(true);
  });

  it('admits as it opens, before its storage is open or the server has said whose it is', async () => {
    const pass = await newPass({ name: 'First at the door' });
    const browser = await launchChromium({ video: qrVideo(pass.code) });
    scanner.browsers.push(browser);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const origin = scanner.tenant.server.url;
    // A tab of an older scanner build, left open, holds the door's database at version 1: the
    // scanner's upgrade of it waits until that tab closes. The key is the one paired before.
    const oldTab = await context.newPage();
    await oldTab.goto(`${origin}/healthz`);
    await oldTab.evaluate(async (key) => {
      localStorage.setItem('passgate.apiKey', key);
      await new Promise((resolve, reject) => {
        const open = indexedDB.open('passgate-door', 1);
        open.onupgradeneeded = () => {
          open.result.createObjectStore('passes', { keyPath: 'code' });
          open.result.createObjectStore('queue', { autoIncrement: true });
          open.result.createObjectStore('scanIds');
          open.result.createObjectStore('meta');
        };
        open.onsuccess = () => resolve(Object.assign(window, { held: open.result }));
        open.onerror = () => reject(open.error);
      });
    }, scanner.scanKey.apiKey);
    const page = await context.newPage();
    // Who the scanner belongs to, and its pass list, are asked for and not answered yet.
    const unanswered: Route[] = [];
    await page.route(/\/api\/v1\/(me|scanner\/sync)/, (route) => void unanswered.push(route));
    await page.goto(`${origin}/scanner/`);
    expect(await verdict(page, 'admit')).toEqual({ title: 'ADMIT', detail: 'First at the door' });
    const storeVersion = () =>
      page.evaluate(
        async () =>
          (await indexedDB.databases()).find((db) => db.name === 'passgate-door')?.version,
      );
    expect(await storeVersion()).toBe(1);
    expect(unanswered.map((route) => new URL(route.request().url()).pathname)).toContain(
      '/api/v1/me',
    );
    expect(await page.locator('#door-status').getAttribute('data-list-from')).toBeNull();

    // The old tab goes and the server answers: the admit is counted on the phone, once.
    await oldTab.close();
    await page.unroute(/\/api\/v1\/(me|scanner\/sync)/);
    // A request the page gave up on (it waits 4 s for `/me`) is answered no more.
    for (const route of unanswered) await route.continue().catch(() => undefined);
    await expect.poll(storeVersion).toBe(DOOR_UPGRADES.length);
    await expect.poll(() => page.locator('#admitted').textContent()).toBe('1');
    await expect
      .poll(() => page.locator('#door-status').textContent())
      .toMatch(/^Online · 0 waiting · list from /);
    const scans = await http(`${scanner.tenant.apiUrl}/scans?passId=${pass.id}`, {
      key: scanner.tenant.apiKey,
    });
    expect(scans.body).toHaveLength(1);
  });

  it('admits a fresh single pass exactly once while its QR stays in view, then says already used', async () => {
    const pass = await newPass({ name: 'Gala', clientName: 'Ada Lovelace' });
    const before = await scanner.tenant.counts();
    const page = await openScanner({ video: qrVideo(pass.code) });
    expect(await verdict(page, 'admit')).toEqual({ title: 'ADMIT', detail: 'Ada Lovelace · Gala' });
    await page.screenshot({ path: path.join(SHOTS, 'scanner-admit.png') });
    // The QR stays in front of the camera: it must not be sent again.
    await page.waitForTimeout(5000);
    expect((await scanner.tenant.counts()).scans - before.scans).toBe(1);
    expect(await page.locator('#admitted').textContent()).toBe('1');

    await typeCode(page, pass.code);
    const again = await verdict(page, 'reject');
    expect(again.title).toBe('Already used');
    // The time is in the device's locale: 20:14 or 08:14 PM.
    expect(again.detail).toMatch(/^Admitted at \d{1,2}:\d{2}( [AP]M)? · Ada Lovelace · Gala$/);
    await page.screenshot({ path: path.join(SHOTS, 'scanner-reject.png') });
    expect(await page.locator('#history li').count()).toBe(2);
  });

  it('keeps its counters and last scans through a reload, until reset or paired with another key', async () => {
    const pass = await newPass({ name: 'Counted' });
    const page = await openScanner();
    await typeCode(page, pass.code);
    await verdict(page, 'admit');
    await typeCode(page, pass.code);
    await verdict(page, 'reject');
    const tally = async () => ({
      admitted: await page.locator('#admitted').textContent(),
      rejected: await page.locator('#rejected').textContent(),
      history: await page.locator('#history li').allTextContents(),
    });
    const before = await tally();
    expect(before.admitted).toBe('1');
    expect(before.rejected).toBe('1');
    expect(before.history).toHaveLength(2);
    expect(before.history[0]).toMatch(/Already used/);

    // The phone's browser evicted the tab, or someone pulled to refresh.
    await page.reload();
    await page.locator('#scan').waitFor({ state: 'visible' });
    // The scan screen opens at once; the counters follow as soon as the phone's storage is read.
    await expect.poll(tally).toEqual(before);
    // Kept in IndexedDB with the door's other state, under the key's prefix, never the key.
    const kept = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const open = indexedDB.open('passgate-door');
          open.onsuccess = () => {
            const get = open.result.transaction('meta').objectStore('meta').get('tally');
            get.onsuccess = () => resolve(JSON.stringify(get.result));
          };
        }),
    );
    expect(kept).toContain(scanner.scanKey.prefix);
    expect(kept).not.toContain(scanner.scanKey.apiKey);

    await page.locator('#open-settings').click();
    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.locator('#reset-tally').click();
    expect(await tally()).toEqual(before); // cancelled: still in the settings
    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator('#reset-tally').click();
    await page.locator('#scan').waitFor({ state: 'visible' });
    expect(await tally()).toEqual({ admitted: '0', rejected: '0', history: [] });

    await typeCode(page, pass.code);
    await verdict(page, 'reject');
    expect((await tally()).rejected).toBe('1');
    // Another key is another door's count. Its pairing link, opened in this same tab, changes
    // only the fragment (no page load), and pairs all the same once staff say so.
    const other = await scanner.tenant.createKey({ scope: 'scan' });
    page.once('dialog', (dialog) => void dialog.accept());
    await page.goto(`${scanner.tenant.server.url}/scanner/#key=${other.apiKey}`);
    await expect.poll(() => page.url()).toBe(`${scanner.tenant.server.url}/scanner/`);
    await expect
      .poll(() => page.evaluate(() => localStorage.getItem('passgate.apiKey')))
      .toBe(other.apiKey);
    await page.locator('#scan').waitFor({ state: 'visible' });
    await expect.poll(tally).toEqual({ admitted: '0', rejected: '0', history: [] });
  });

  it("asks before a pairing link of another tenant replaces this scanner's key, naming that tenant", async () => {
    const page = await openScanner();
    const stranger = await createTenant();
    const strangerKey = await stranger.createKey({ scope: 'scan' });
    const me = await stranger.client.me();
    if (!me.ok) throw new Error(me.error);
    const strangerName = me.data.tenant.name;
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(`${scanner.tenant.server.url}/scanner/#key=${strangerKey.apiKey}`);
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toContain(strangerName);
    expect(asked[0]).toContain(`key ${strangerKey.prefix}`);
    // Declined: the link is gone from the address bar, and the door keeps its own key.
    await expect.poll(() => page.url()).toBe(`${scanner.tenant.server.url}/scanner/`);
    expect(await page.evaluate(() => localStorage.getItem('passgate.apiKey'))).toBe(
      scanner.scanKey.apiKey,
    );

    page.once('dialog', (dialog) => void dialog.accept());
    await page.goto(`${scanner.tenant.server.url}/scanner/#key=${strangerKey.apiKey}`);
    await expect
      .poll(() => page.evaluate(() => localStorage.getItem('passgate.apiKey')))
      .toBe(strangerKey.apiKey);
    await expect.poll(() => page.locator('#tenant').textContent()).toBe(strangerName);
  });

  it('names both organisers before a door link of another one takes the scanner, and the link still works', async () => {
    const page = await openScanner();
    const ours = await page.locator('#tenant').textContent();
    expect(ours).toMatch(/^Test /);
    const stranger = await createTenant();
    const me = await stranger.client.me();
    if (!me.ok) throw new Error(me.error);
    const door = await http(`${stranger.apiUrl}/devices`, {
      key: stranger.apiKey,
      json: { name: 'Stage door' },
    });
    const link = new URL(door.body.pairingUrl as string);
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(`${scanner.tenant.server.url}/scanner/${link.hash}`);
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toContain(`This scanner is paired with ${ours} (key `);
    expect(asked[0]).toContain(`Pair it with ${me.data.tenant.name} (door Stage door) instead?`);
    await expect.poll(() => page.url()).toBe(`${scanner.tenant.server.url}/scanner/`);

    // Asking used nothing up: the same link pairs the phone once staff agree.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.goto(`${scanner.tenant.server.url}/scanner/${link.hash}`);
    // Pairing, then asking the server whose door this is: more than expect.poll's 1 s on a busy machine.
    await expect
      .poll(() => page.locator('#tenant').textContent(), { timeout: 10_000 })
      .toBe(me.data.tenant.name);
    expect(await page.locator('#door-name').textContent()).toBe('Stage door');
  });

  it("says a pass of another organiser is not one of this door's, and whose passes it checks", async () => {
    const page = await openScanner();
    const ours = await page.locator('#tenant').textContent();
    const stranger = await createTenant();
    const theirs = await stranger.newPass({ name: 'Elsewhere' });
    await typeCode(page, theirs.code);
    expect(await verdict(page, 'reject')).toEqual({
      title: 'Unknown pass',
      detail: `Not a pass of ${ours}: is this phone paired to the right organiser?`,
    });
    await typeCode(page, 'https://example.com/menu');
    expect(await verdict(page, 'reject')).toEqual({
      title: 'Unknown pass',
      detail: 'This code is not one of our passes',
    });
  });

  it('reads at most ten frames a second, so a phone stays cool through a shift', async () => {
    // Counts the frames the page hands its decoder (a Web Worker) from Chromium's test pattern,
    // which holds no code, so the scanner looks on and on as it does at a door between guests.
    const page = await openScanner({
      initScript: () => {
        const post = Worker.prototype.postMessage;
        const counted = window as unknown as { framesDecoded: number };
        counted.framesDecoded = 0;
        Worker.prototype.postMessage = function (this: Worker, ...args: unknown[]) {
          if ((args[0] as { pixels?: unknown } | undefined)?.pixels) counted.framesDecoded++;
          return (post as (...a: unknown[]) => void).apply(this, args);
        } as Worker['postMessage'];
      },
    });
    // The count and the page's own clock, read together: a test process kept waiting cannot
    // stretch the window it is judged over.
    const frames = () =>
      page.evaluate(() => ({
        count: (window as unknown as { framesDecoded: number }).framesDecoded,
        at: performance.now(),
      }));
    // The camera's first frame: on a busy machine Chromium takes a while to start its fake one.
    await expect.poll(async () => (await frames()).count, { timeout: 20_000 }).toBeGreaterThan(0);
    const first = await frames();
    await page.waitForTimeout(3000);
    const last = await frames();
    const decoded = last.count - first.count;
    expect(decoded).toBeGreaterThan(0);
    // Ten a second, and one more for a frame just inside each end of the window. Before the cap
    // the scanner decoded every frame the worker could take: 57 in such a window.
    expect(decoded).toBeLessThanOrEqual(Math.floor((last.at - first.at) / 100) + 1);
  });

  it('lets go of the camera and the screen while hidden, and scans again once back in front', async () => {
    const pass = await newPass({ name: 'Back again' });
    const before = await scanner.tenant.counts();
    const page = await openScanner({ video: qrVideo(pass.code) });
    expect((await verdict(page, 'admit')).title).toBe('ADMIT');
    await expect.poll(() => page.locator('body').getAttribute('data-awake')).toBe('true');
    const liveCamera = () =>
      page.evaluate(
        () =>
          (document.getElementById('video') as HTMLVideoElement).srcObject instanceof MediaStream &&
          ((document.getElementById('video') as HTMLVideoElement).srcObject as MediaStream)
            .getVideoTracks()
            .some((track) => track.readyState === 'live'),
      );
    expect(await liveCamera()).toBe(true);
    // Headless Chromium never hides a page, so the test says what a phone's browser says when
    // staff switch to another app and back.
    const setVisibility = (state: 'hidden' | 'visible') =>
      page.evaluate((visibility) => {
        Object.defineProperty(document, 'visibilityState', {
          value: visibility,
          configurable: true,
        });
        Object.defineProperty(document, 'hidden', {
          value: visibility === 'hidden',
          configurable: true,
        });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    await setVisibility('hidden');
    await expect.poll(liveCamera).toBe(false);
    await expect.poll(() => page.locator('body').getAttribute('data-awake')).toBe('false');
    await page.waitForTimeout(3500); // longer than the same code's repeat window

    await setVisibility('visible');
    await expect.poll(liveCamera).toBe(true);
    await expect.poll(() => page.locator('body').getAttribute('data-awake')).toBe('true');
    // The QR still in view is read again: the single pass is now refused as already used.
    expect((await verdict(page, 'reject')).title).toBe('Already used');
    expect((await scanner.tenant.counts()).scans - before.scans).toBe(2);
  });

  it('admits a QR that holds the full pass URL', async () => {
    const pass = await newPass({ name: 'Link pass' });
    const page = await openScanner({ video: qrVideo(pass.publicUrl) });
    expect((await verdict(page, 'admit')).detail).toBe('Link pass');
  });

  it('reads a QR that zxing cannot read the right way up (the decoder turns the next frames)', async () => {
    // Not a pass of this tenant, so the answer is "Unknown pass": what matters is that it was read.
    const page = await openScanner({ video: qrVideo('rgFN19N9xFtI') });
    expect((await verdict(page, 'reject')).title).toBe('Unknown pass');
  });

  it('says revoked and unknown pass in plain words', async () => {
    const revoked = await newPass({ name: 'Cancelled' });
    await scanner.tenant.client.passes.revoke(revoked.id);
    const page = await openScanner();
    await typeCode(page, revoked.code);
    expect(await verdict(page, 'reject')).toEqual({ title: 'Revoked', detail: 'Cancelled' });
    await typeCode(page, 'NOTAPASS0000');
    expect((await verdict(page, 'reject')).title).toBe('Unknown pass');
  });

  it('keeps a long name inside a 360 px phone, on the answer and in the last scans', async () => {
    const word = 'Wolfeschlegelsteinhausenbergerdorff'.repeat(2);
    const pass = await newPass({ name: `Gala ${word}`, clientName: `Maximilian ${word}` });
    const page = await openScanner();
    await page.setViewportSize({ width: 360, height: 740 });
    await typeCode(page, pass.code);
    expect((await verdict(page, 'admit')).detail).toContain(word);
    const inside = (selector: string) =>
      page.locator(selector).evaluateAll((els) =>
        els.map((el) => {
          const box = el.getBoundingClientRect();
          return box.left >= 0 && box.right <= window.innerWidth;
        }),
      );
    // Icon, title, detail, Undo and the hint.
    expect(await inside('#verdict > *')).toEqual([true, true, true, true, true]);
    await page.locator('#verdict').evaluate((el) => el.setAttribute('hidden', ''));
    expect(await inside('#history li')).toEqual([true]);
  });

  it('keeps the viewfinder, the code box and the answer on screen, upright and sideways', async () => {
    const pass = await newPass({ name: 'Sideways' });
    const page = await openScanner();
    const onScreen = (selector: string) =>
      page.locator(selector).evaluateAll((els) =>
        els.map((el) => {
          const box = el.getBoundingClientRect();
          const fits = box.top >= 0 && box.left >= 0;
          return fits && box.bottom <= window.innerHeight && box.right <= window.innerWidth;
        }),
      );
    // Phones upright and turned, tablets on a stand both ways. Sideways, a square viewfinder as
    // wide as the screen pushed the code box below the fold.
    for (const [width, height] of [
      [390, 844],
      [740, 360],
      [1024, 768],
      [768, 1024],
    ] as const) {
      await page.setViewportSize({ width, height });
      const size = `${width}×${height}`;
      expect(
        await onScreen('.viewfinder, #switch-camera, #manual-code, #manual button'),
        size,
      ).toEqual([true, true, true, true]);
    }
    await page.setViewportSize({ width: 740, height: 360 });
    await typeCode(page, pass.code);
    expect((await verdict(page, 'admit')).title).toBe('ADMIT');
    expect(await onScreen('#verdict > *')).toEqual([true, true, true, true, true]);
  });
});
