import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { launchChromium } from './browser';
import { REPO_ROOT } from './server';
import { type CreatedKey, createTenant, type TestTenant } from './tenant';

/** Where browser tests leave pictures of their pages. */
export const SHOTS = path.join(REPO_ROOT, 'test/artifacts');

/**
 * The scanner's browser tests: a tenant and a scan key of the run's server, Chromium pages with
 * the scanner paired (each closed after its test, with a picture of where it ended), and the
 * steps those tests take. Call once at the top of a test file.
 */
export function useScannerPages() {
  const browsers: Browser[] = [];

  let tenant: TestTenant;
  let scanKey: CreatedKey;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    tenant = await createTenant();
    scanKey = await tenant.createKey({ scope: 'scan', rateLimit: 10_000 });
  });
  /** Every test leaves a picture of where its page ended, in test/artifacts/. */
  afterEach(async (context) => {
    const pages = browsers.flatMap((browser) => browser.contexts().flatMap((c) => c.pages()));
    const last = pages.at(-1);
    const name = context.task.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .slice(0, 60);
    await last
      ?.screenshot({ path: path.join(SHOTS, `scanner-test-${name}.png`) })
      .catch(() => undefined);
    await Promise.all(browsers.splice(0).map((browser) => browser.close()));
  });
  afterAll(async () => {
    await Promise.all(browsers.map((browser) => browser.close()));
  });

  /**
   * The scanner paired with `key` (the shared scan key), in Debian's Chromium on a phone-sized
   * page, with a fake camera showing `video` (or Chromium's own test pattern), loaded from `origin`
   * (this file's server, or a proxy in front of it).
   */
  async function openScanner(
    options: {
      video?: string;
      camera?: 'allowed' | 'refused';
      key?: CreatedKey;
      origin?: string;
      /** More of Chromium's switches. */
      browserArgs?: string[];
      /** Run in the page before the scanner's own scripts. */
      initScript?: () => void;
    } = {},
  ): Promise<Page> {
    const { video, camera = 'allowed', key = scanKey, origin = tenant.server.url } = options;
    const browser = await launchChromium({ video, camera, args: options.browserArgs });
    browsers.push(browser);
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    if (options.initScript) await page.addInitScript(options.initScript);
    await page.goto(`${origin}/scanner/#key=${key.apiKey}`);
    await page.locator('#scan').waitFor({ state: 'visible' });
    return page;
  }

  /** The verdict on screen once one is shown: of `tone`, or else any but "Checking…". */
  async function verdict(page: Page, tone?: string) {
    const panel = page.locator(
      tone ? `#verdict[data-tone="${tone}"]` : '#verdict:not([data-tone="pending"])',
    );
    await panel.waitFor({ state: 'visible', timeout: 20_000 });
    return {
      title: await page.locator('#verdict-title').textContent(),
      detail: await page.locator('#verdict-detail').textContent(),
    };
  }

  async function typeCode(page: Page, code: string) {
    await page.locator('#verdict').evaluate((el) => el.setAttribute('hidden', ''));
    await page.locator('#manual-code').fill(code);
    await page.locator('#manual button').click();
  }

  async function newPass(body: Record<string, unknown> = {}) {
    const res = await tenant.client.passes.create({ type: 'single', ...body } as never);
    if (!res.ok) throw new Error(res.error);
    return res.data;
  }

  return {
    get tenant() {
      return tenant;
    },
    get scanKey() {
      return scanKey;
    },
    browsers,
    openScanner,
    verdict,
    typeCode,
    newPass,
  };
}
