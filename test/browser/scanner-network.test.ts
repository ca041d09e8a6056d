import { execFile } from 'node:child_process';
import { cpSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { admin } from '../support/admin';
import { hasChromium, launchChromium } from '../support/browser';
import { migratedDataDir } from '../support/data-dir';
import { useScannerPages } from '../support/scanner-pages';
import { newDataDir, REPO_ROOT, startServer } from '../support/server';
import { startStallingProxy } from '../support/stalling-proxy';
import { createTenant, http } from '../support/tenant';

const run = promisify(execFile);
const scanner = useScannerPages();
const { openScanner, verdict, typeCode, newPass } = scanner;
/** A door's first sync, on a server just started and a machine busy with other tests. */
const FIRST_SYNC = { timeout: 15_000 };

describe.skipIf(!hasChromium())(
  'the scanner in Chromium: the network, pairing and the door',
  () => {
    it('calls a code far too long to be a pass unknown, and scans on instead of retrying it', async () => {
      // A QR can hold ~3 KB of text (a vCard, a long link): the API refuses such a code with 400,
      // which no retry can change. Retried as if offline, it would hold up every other code.
      const page = await openScanner();
      await typeCode(page, 'X'.repeat(3000));
      expect((await verdict(page, 'reject')).title).toBe('Unknown pass');
      await typeCode(page, 'Y'.repeat(1_100_000)); // past the API's 1 MB body limit: 413
      expect((await verdict(page, 'reject')).title).toBe('Unknown pass');
      const pass = await newPass({ name: 'Next in line' });
      await typeCode(page, pass.code);
      expect(await verdict(page, 'admit')).toEqual({ title: 'ADMIT', detail: 'Next in line' });
    });

    it('decides on the phone when the key is over its rate limit, and queues the scan', async () => {
      // A budget of two requests a minute: the scanner's own requests spend it, and a scan then
      // gets 429. The door does not stall: the phone decides, and the upload waits its turn.
      const passes = await Promise.all([0, 1, 2, 3, 4].map((i) => newPass({ name: `Guest ${i}` })));
      const page = await openScanner({
        key: await scanner.tenant.createKey({ scope: 'scan', rateLimit: 2 }),
      });
      await expect
        .poll(() => page.locator('#door-status').textContent(), FIRST_SYNC)
        .toMatch(/list from/);
      let shown: Awaited<ReturnType<typeof verdict>> | undefined;
      for (const pass of passes) {
        await typeCode(page, pass.code);
        shown = await verdict(page);
        if (shown.title === 'ADMIT · offline') break;
      }
      expect(shown).toEqual({
        title: 'ADMIT · offline',
        detail: expect.stringMatching(/^Guest \d$/),
      });
      expect(await page.locator('#door-status').textContent()).toMatch(/[1-9] waiting/);
    });

    it('decides on the phone while the server is down, and uploads the scan once when it returns', async () => {
      const dataDir = migratedDataDir();
      const first = await startServer({ dataDir });
      const own = await createTenant({ server: first });
      const key = await own.createKey({ scope: 'scan', rateLimit: 1000 });
      const pass = await own.newPass({ name: 'Patience' });
      const page = await openScanner({ key, origin: first.url });
      await expect
        .poll(() => page.locator('#door-status').textContent(), FIRST_SYNC)
        .toMatch(/list from/);

      await first.stop();
      await typeCode(page, pass.code);
      expect(await verdict(page, 'admit')).toEqual({
        title: 'ADMIT · offline',
        detail: 'Patience',
      });
      await expect
        .poll(() => page.locator('#door-status').textContent())
        .toMatch(/^Offline · 1 waiting/);
      const again = await startServer({ dataDir, env: { PORT: new URL(first.url).port } });
      try {
        await expect
          .poll(() => page.locator('#door-status').textContent(), { timeout: 45_000 })
          .toMatch(/^Online · 0 waiting/);
        const shown = await admin<{ counts: { scans: number } }>(
          again.env,
          'tenant',
          'show',
          '--tenant',
          own.id,
        );
        expect(shown.counts.scans).toBe(1);
      } finally {
        await again.stop();
      }
      // A server stopped and two started, and the scanner's back-off: more than the usual minute
      // on a busy 2-core machine.
    }, 150_000);

    it('records each scan under the name staff give the scanner, kept through a reload', async () => {
      const page = await openScanner();
      await page.locator('#open-settings').click();
      expect(await page.locator('#device-input').inputValue()).toMatch(/^scanner-[0-9a-f]{8}$/);
      await page.locator('#device-input').fill('  Door A  ');
      await page.locator('#device-form button').click();
      await page.locator('#scan').waitFor({ state: 'visible' });
      expect(await page.locator('#door-name').textContent()).toBe('Door A');
      await page.reload();
      await page.locator('#scan').waitFor({ state: 'visible' });
      expect(await page.locator('#door-name').textContent()).toBe('Door A');
      const pass = await newPass({ name: 'Named door' });
      await typeCode(page, pass.code);
      expect((await verdict(page, 'admit')).title).toBe('ADMIT');
      const scans = await http(`${scanner.tenant.apiUrl}/triggers?event=pass.scanned&limit=1`, {
        key: scanner.tenant.apiKey,
      });
      expect(scans.body[0]).toMatchObject({ passId: pass.id, device: 'Door A' });
    });

    it('pairs by a pasted key, unpairs, and fits a 360 px phone and a tablet', async () => {
      const page = await openScanner();
      for (const width of [360, 1024]) {
        await page.setViewportSize({ width, height: 760 });
        expect(
          await page.evaluate(() => document.documentElement.scrollWidth),
          `width ${width}`,
        ).toBeLessThanOrEqual(width);
      }
      await page.locator('#open-settings').click();
      // A gloved tap on Unpair by mistake, mid-evening: the scanner asks, and Cancel keeps it paired.
      const asked: string[] = [];
      page.once('dialog', (dialog) => {
        asked.push(dialog.message());
        void dialog.dismiss();
      });
      await page.locator('#unpair').click();
      expect(asked).toEqual([
        'Unpair this scanner? It cannot scan again until it is paired with a key or pairing link.',
      ]);
      expect(await page.evaluate(() => localStorage.getItem('passgate.apiKey'))).toBe(
        scanner.scanKey.apiKey,
      );
      page.once('dialog', (dialog) => void dialog.accept());
      await page.locator('#unpair').click();
      await expect.poll(() => page.locator('#paired-with').textContent()).toMatch(/^Not paired/);
      expect(await page.evaluate(() => localStorage.getItem('passgate.apiKey'))).toBeNull();
      await page.locator('#key-input').fill('not-a-key');
      await page.locator('#pair button').click();
      expect(await page.locator('#pair-error').textContent()).toMatch(/starts with 2pk_/);
      await page.locator('#key-input').fill(scanner.scanKey.apiKey);
      await page.locator('#pair button').click();
      await page.locator('#scan').waitFor({ state: 'visible' });
      expect(await page.evaluate(() => localStorage.getItem('passgate.apiKey'))).toBe(
        scanner.scanKey.apiKey,
      );
    });

    it('shrugs off a broken pairing link: a paired scanner keeps scanning, an unpaired one asks for a key', async () => {
      // A link cut short by a chat app ends inside a %-escape, which no URL decoder accepts.
      const broken = `${scanner.tenant.server.url}/scanner/#key=${scanner.scanKey.apiKey.slice(0, 10)}%E0%A4%A`;
      const page = await openScanner();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(broken); // the same tab: only the fragment changes
      await expect.poll(() => page.url()).toBe(`${scanner.tenant.server.url}/scanner/`);
      expect(await page.evaluate(() => localStorage.getItem('passgate.apiKey'))).toBe(
        scanner.scanKey.apiKey,
      );
      const pass = await newPass({ name: 'Still scanning' });
      await typeCode(page, pass.code);
      expect((await verdict(page, 'admit')).title).toBe('ADMIT');

      const browser = await launchChromium();
      scanner.browsers.push(browser);
      const fresh = await browser.newPage({ viewport: { width: 390, height: 844 } });
      fresh.on('pageerror', (error) => errors.push(error.message));
      await fresh.goto(broken);
      await fresh.locator('#settings').waitFor({ state: 'visible' });
      expect(fresh.url()).toBe(`${scanner.tenant.server.url}/scanner/`);
      expect(await fresh.locator('#paired-with').textContent()).toMatch(/^Not paired/);
      expect(errors).toEqual([]);
    });

    it('explains a refused camera, and typed codes still work', async () => {
      const page = await openScanner({ camera: 'refused' });
      await expect
        .poll(() => page.locator('#camera-problem').textContent())
        .toMatch(/Camera access was refused/);
      await typeCode(page, 'NOTAPASS0000');
      expect((await verdict(page, 'reject')).title).toBe('Unknown pass');
    });

    it('at a plain http:// address (not localhost) says why there is no camera, and still admits a typed code', async () => {
      const pass = await newPass({ name: 'Typed', clientName: 'Grace Hopper' });
      const { port } = new URL(scanner.tenant.server.url);
      // A name for this machine that is not localhost: Chromium holds http:// there insecure, as a
      // phone does a server's LAN address, and gives the page no camera and no crypto.randomUUID.
      const page = await openScanner({
        origin: `http://door.test:${port}`,
        browserArgs: ['--host-resolver-rules=MAP door.test 127.0.0.1'],
      });
      expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
      await expect
        .poll(() => page.locator('#camera-problem').textContent())
        .toMatch(/works only at an https:\/\/ address/);
      await typeCode(page, pass.code);
      expect(await verdict(page, 'admit')).toEqual({
        title: 'ADMIT',
        detail: 'Grace Hopper · Typed',
      });
    });

    it('installs after one visit, then opens and decides with no network', async () => {
      const pass = await newPass({ name: 'Offline arrival' });
      const page = await openScanner();
      const manifestUrl = await page.locator('link[rel="manifest"]').getAttribute('href');
      const manifest = await (await fetch(`${scanner.tenant.server.url}${manifestUrl}`)).json();
      expect(manifest).toMatchObject({
        name: 'Passgate Scanner',
        display: 'standalone',
        start_url: '/scanner/',
      });
      expect(manifest.icons.length).toBeGreaterThan(0);
      expect((await fetch(`${scanner.tenant.server.url}${manifest.icons[0].src}`)).status).toBe(
        200,
      );
      await expect
        .poll(() => page.locator('#door-status').textContent(), FIRST_SYNC)
        .toMatch(/list from/);
      const tenant = await page.locator('#tenant').textContent();
      expect(tenant).toMatch(/^Test /);
      const door = await page.locator('#door-name').textContent();
      // Installed means every file of the build is cached: no second visit is needed.
      await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
      await page.context().setOffline(true);
      await page.reload();
      await page.locator('#scan').waitFor({ state: 'visible' });
      expect(await page.title()).toBe('Passgate Scanner');
      // Offline, the door still says whose and which it is.
      expect(await page.locator('#tenant').textContent()).toBe(tenant);
      expect(await page.locator('#door-name').textContent()).toBe(door);
      await typeCode(page, pass.code);
      expect(await verdict(page, 'admit')).toEqual({
        title: 'ADMIT · offline',
        detail: 'Offline arrival',
      });
    });

    it('updates itself when a new build is served', async () => {
      // A server of its own, serving a copy of the scanner build that the test replaces.
      const dist = path.join(newDataDir(), 'scanner');
      cpSync(path.join(REPO_ROOT, 'scanner/dist'), dist, { recursive: true });
      // The next build, made meanwhile.
      const next = `${dist}.next`;
      const nextBuilt = run(
        'pnpm',
        [
          ...['exec', 'vite', 'build', '--logLevel', 'warn', '--emptyOutDir', '--outDir', next],
          ...['--config', path.join(REPO_ROOT, 'test/support/scanner-next-build.config.ts')],
        ],
        { cwd: path.join(REPO_ROOT, 'scanner'), env: { ...process.env, NODE_ENV: 'production' } },
      );
      nextBuilt.catch(() => {}); // awaited below; a failure then fails the test
      const server = await startServer({ env: { SCANNER_DIST: dist } });
      try {
        const own = await createTenant({ server });
        const key = await own.createKey({ scope: 'scan', rateLimit: 1000 });
        const page = await openScanner({ key, origin: server.url });
        await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
        const scriptOf = (html: string) =>
          /<script type="module"[^>]* src="([^"]+)"/.exec(html)?.[1];
        const firstBuild = await page.locator('#build').textContent();
        expect(firstBuild).toMatch(/^[\w-]{8}$/);
        expect(await page.locator('script[type="module"]').getAttribute('src')).toBe(
          scriptOf(readFileSync(path.join(dist, 'index.html'), 'utf8')),
        );

        await nextBuilt;
        renameSync(dist, `${dist}.served-before`);
        renameSync(next, dist);
        const nextScript = scriptOf(readFileSync(path.join(dist, 'index.html'), 'utf8'));

        // The next visit opens the cached build at once, finds the new one, and reloads into it.
        await page.reload();
        await expect
          .poll(() => page.locator('script[type="module"]').getAttribute('src'), {
            timeout: 30_000,
          })
          .toBe(nextScript);
        await page.locator('#scan').waitFor({ state: 'visible' });
        expect(await page.locator('html').getAttribute('data-build')).toBe('next');
        expect(await page.locator('#build').textContent()).not.toBe(firstBuild);
        const pass = await own.newPass({ name: 'After the update' });
        await typeCode(page, pass.code);
        expect(await verdict(page, 'admit')).toEqual({
          title: 'ADMIT',
          detail: 'After the update',
        });
      } finally {
        await server.stop();
      }
    }, 180_000);

    it('says "Checking…" while the server is slow, decides on the phone, and never stalls the door', async () => {
      const proxy = await startStallingProxy(scanner.tenant.server.url, ['/api/v1/scan']);
      try {
        const [slow, next] = await Promise.all([
          newPass({ name: 'Patient guest' }),
          newPass({ name: 'Next guest' }),
        ]);
        const page = await openScanner({ origin: proxy.url });
        await expect
          .poll(() => page.locator('#door-status').textContent(), FIRST_SYNC)
          .toMatch(/list from/);
        const before = await scanner.tenant.counts();
        proxy.stalled = true;
        await typeCode(page, slow.code);
        expect(await verdict(page, 'pending')).toEqual({
          title: 'Checking…',
          detail: 'The code was read; waiting for the server',
        });
        // No answer within the door's timeout: the phone decides, and the next code is decided too.
        expect(await verdict(page, 'admit')).toEqual({
          title: 'ADMIT · offline',
          detail: 'Patient guest',
        });
        await typeCode(page, next.code);
        expect(await verdict(page, 'admit')).toEqual({
          title: 'ADMIT · offline',
          detail: 'Next guest',
        });
        proxy.stalled = false;
        await expect
          .poll(() => page.locator('#door-status').textContent(), { timeout: 45_000 })
          .toMatch(/^Online · 0 waiting/);
        expect((await scanner.tenant.counts()).scans - before.scans).toBe(2);
      } finally {
        await proxy.close();
      }
    });

    it('decides on the phone on a 5xx, and uploads the scan once the server recovers', async () => {
      const proxy = await startStallingProxy(scanner.tenant.server.url, ['/api/v1/scan']);
      try {
        const pass = await newPass({ name: 'Steady guest' });
        const page = await openScanner({ origin: proxy.url });
        await expect
          .poll(() => page.locator('#door-status').textContent(), FIRST_SYNC)
          .toMatch(/list from/);
        proxy.failWith = 502;
        await typeCode(page, pass.code);
        expect(await verdict(page, 'admit')).toEqual({
          title: 'ADMIT · offline',
          detail: 'Steady guest',
        });
        proxy.failWith = undefined;
        await expect
          .poll(() => page.locator('#door-status').textContent(), { timeout: 45_000 })
          .toMatch(/^Online · 0 waiting/);
        const scans = await http(`${scanner.tenant.apiUrl}/scans?passId=${pass.id}`, {
          key: scanner.tenant.apiKey,
        });
        expect(scans.body).toEqual([expect.objectContaining({ result: 'success', offline: true })]);
      } finally {
        await proxy.close();
      }
    });

    it('opens from its cache when the network hangs rather than fails, and still scans', async () => {
      // Bad Wi-Fi at a door often answers nothing at all. The service worker serves the app from
      // its cache without asking the network; the app does not wait for /me to show who it is
      // paired with before it scans; and a scan that gets through is answered.
      const proxy = await startStallingProxy(scanner.tenant.server.url, [
        '/scanner/',
        '/api/v1/me',
      ]);
      try {
        const page = await openScanner({ origin: proxy.url });
        await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
        await page.reload(); // under the service worker now: it caches what the app loads
        await page.locator('#scan').waitFor({ state: 'visible' });
        proxy.stalled = true;
        await page.reload({ timeout: 15_000 });
        await page.locator('#scan').waitFor({ state: 'visible', timeout: 15_000 });
        // Scanning already, while the scanner waits out its question to the server.
        expect(await page.locator('#paired-with').textContent()).toBe(
          'Paired; asking the server which door this is…',
        );
        await expect
          .poll(() => page.locator('#paired-with').textContent(), { timeout: 10_000 })
          .toBe('Paired; the server is not reachable right now');
        const pass = await newPass({ name: 'Through the storm' });
        await typeCode(page, pass.code);
        expect(await verdict(page, 'admit')).toEqual({
          title: 'ADMIT',
          detail: 'Through the storm',
        });
      } finally {
        await proxy.close();
      }
    });
  },
);
