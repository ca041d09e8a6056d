import { describe, expect, inject, it } from 'vitest';
import { hasChromium, launchChromium } from '../support/browser';

const { url } = inject('server');

describe.skipIf(!hasChromium())('the API reference in Chromium', () => {
  it('renders the document within its own Content-Security-Policy, refusing to be framed', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const refused: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy|Refused to/i.test(message.text()))
          refused.push(message.text());
      });
      await page.goto(`${url}/docs`);
      await page.getByText('Passgate API', { exact: false }).first().waitFor();
      await page.locator('.opblock-tag', { hasText: 'passes' }).first().waitFor();
      expect(refused).toEqual([]);

      // Another page that frames it is refused by the browser itself.
      const blocked = page.waitForEvent('console', {
        predicate: (message) => /frame-ancestors/.test(message.text()),
        timeout: 20_000,
      });
      await page.setContent(`<iframe src="${url}/docs"></iframe>`);
      await blocked;
    } finally {
      await browser.close();
    }
  });
});
