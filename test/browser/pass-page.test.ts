import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from '../support/browser';
import { startStallingProxy } from '../support/stalling-proxy';
import { createTenant, http, type TestTenant } from '../support/tenant';

let tenant: TestTenant;
let browser: Browser;

beforeAll(async () => {
  tenant = await createTenant();
  if (hasChromium()) browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!hasChromium())('the pass page in Chromium', () => {
  it('shows validity in the holder’s time zone, or its location’s, and in UTC without JavaScript', async () => {
    const created = await tenant.client.passes.create({
      type: 'single',
      name: 'Summer gala',
      validFrom: '2030-06-01T18:00:00Z',
      validUntil: '2030-06-01T23:30:00Z',
    });
    if (!created.ok) throw new Error(created.error);
    const validity = async (options: { timezoneId: string; javaScriptEnabled: boolean }) => {
      const context = await browser.newContext({ locale: 'en-GB', ...options });
      const page = await context.newPage();
      const refused: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/.test(message.text())) refused.push(message.text());
      });
      await page.goto(created.data.publicUrl);
      const dd = await page.locator('dd').allTextContents();
      await context.close();
      return { from: dd[0], until: dd[1], refused };
    };

    const berlin = await validity({ timezoneId: 'Europe/Berlin', javaScriptEnabled: true });
    expect(berlin.from).toMatch(/^1 Jun 2030, 20:00 (CEST|GMT\+2)$/);
    expect(berlin.until).toMatch(/^2 Jun 2030, 01:30 (CEST|GMT\+2)$/);
    expect(berlin.refused).toEqual([]);

    const tokyo = await validity({ timezoneId: 'Asia/Tokyo', javaScriptEnabled: true });
    expect(tokyo.from).toMatch(/^2 Jun 2030, 03:00 (JST|GMT\+9)$/);

    const noScript = await validity({ timezoneId: 'Europe/Berlin', javaScriptEnabled: false });
    expect(noScript).toEqual({
      from: '1 Jun 2030, 18:00 UTC',
      until: '1 Jun 2030, 23:30 UTC',
      refused: [],
    });

    // A pass of a location: its times are the venue's, wherever the phone is.
    const venue = await http(`${tenant.apiUrl}/locations`, {
      key: tenant.apiKey,
      json: { name: 'Brooklyn Hall', timezone: 'America/New_York' },
    });
    const moved = await http(`${tenant.apiUrl}/passes/${created.data.id}`, {
      key: tenant.apiKey,
      method: 'PATCH',
      json: { locationId: venue.body.id },
    });
    expect(moved.status, moved.text).toBe(200);
    for (const javaScriptEnabled of [true, false]) {
      const shown = await validity({ timezoneId: 'Asia/Tokyo', javaScriptEnabled });
      expect(shown.from, `script ${javaScriptEnabled}`).toMatch(/^1 Jun 2030, 14:00 (EDT|GMT-4)$/);
      expect(shown.until).toMatch(/^1 Jun 2030, 19:30 (EDT|GMT-4)$/);
    }
  });

  it('keeps a name or field with a word wider than a phone inside a 360 px screen', async () => {
    const word = 'Wolfeschlegelsteinhausenbergerdorff'.repeat(2);
    const created = await tenant.client.passes.create({
      type: 'single',
      name: `Maximilian ${word}`,
      customFields: [
        { key: `Seat ${word}`, value: 'Row 12', isPublic: true },
        { key: 'Diet', value: word, isPublic: true },
      ],
    });
    if (!created.ok) throw new Error(created.error);
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    await page.goto(created.data.publicUrl);
    // No sideways scrolling, and every line of the card inside it.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      360,
    );
    const card = await page.locator('.card').boundingBox();
    for (const selector of ['h1', 'dt', 'dd']) {
      for (const box of await page
        .locator(selector)
        .evaluateAll((els) => els.map((el) => el.getBoundingClientRect().toJSON() as DOMRect))) {
        expect(box.right, selector).toBeLessThanOrEqual(card!.x + card!.width);
      }
    }
    // The value keeps room of its own beside a long key.
    const dd = await page.locator('dd').first().boundingBox();
    expect(dd!.width).toBeGreaterThan(card!.width / 3);
    await context.close();
  });

  it('shows the pass from the copy the phone kept when the network is gone, and says so', async () => {
    const created = await tenant.client.passes.create({ type: 'single', name: 'Basement club' });
    if (!created.ok) throw new Error(created.error);
    const context = await browser.newContext({ timezoneId: 'Europe/Berlin' });
    const page = await context.newPage();
    await page.goto(created.data.publicUrl);
    // The worker takes the page over and keeps a copy of it.
    await expect
      .poll(() =>
        page.evaluate(async (url) => Boolean(await caches.match(url)), created.data.publicUrl),
      )
      .toBe(true);
    expect(await page.locator('.saved-copy').isVisible()).toBe(false);

    await context.setOffline(true);
    await page.reload();
    expect(await page.locator('h1').textContent()).toBe('Basement club');
    expect(await page.locator('.code').textContent()).toBe(created.data.code);
    expect(await page.locator('.qr svg').count()).toBe(1);
    expect(await page.locator('.saved-copy').textContent()).toMatch(
      /^Saved copy from .+, shown without a connection\. The door checks the pass when it is scanned\.$/,
    );
    // The copy's script ran (its dates in the phone's time), so the page's policy still allows it.
    expect(await page.locator('.saved-copy time').textContent()).toMatch(/ (CET|GMT\+1)$/);

    // Back online, the live page again.
    await context.setOffline(false);
    await page.reload();
    expect(await page.locator('.saved-copy').isVisible()).toBe(false);
    await context.close();
  });

  it('shows the saved copy when the network hangs or a proxy in front answers 502', async () => {
    const created = await tenant.client.passes.create({ type: 'single', name: 'Crowded field' });
    if (!created.ok) throw new Error(created.error);
    const proxy = await startStallingProxy(tenant.server.url, ['/p/']);
    const context = await browser.newContext();
    try {
      const { pathname, search } = new URL(created.data.publicUrl);
      const pageUrl = `${proxy.url}${pathname}${search}`;
      const page = await context.newPage();
      await page.goto(pageUrl);
      // The worker installs and keeps the page: more than expect.poll's 1 s on a busy machine.
      await expect
        .poll(() => page.evaluate(async (url) => Boolean(await caches.match(url)), pageUrl), {
          timeout: 10_000,
        })
        .toBe(true);
      // A network that answers nothing: the worker gives it a few seconds, then shows the copy.
      proxy.stalled = true;
      await page.reload({ timeout: 15_000 });
      expect(await page.locator('.saved-copy').isVisible()).toBe(true);
      expect(await page.locator('.code').textContent()).toBe(created.data.code);
      proxy.stalled = false;
      proxy.failWith = 502;
      await page.reload();
      expect(await page.locator('.saved-copy').isVisible()).toBe(true);
      expect(await page.locator('h1').textContent()).toBe('Crowded field');
    } finally {
      await context.close();
      await proxy.close();
    }
  });
});
