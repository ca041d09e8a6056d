import path from 'node:path';
import axe from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { createFrameDecoder } from '../../scanner/src/decode';
import { hasChromium, launchChromium } from './browser';
import { REPO_ROOT } from './server';
import { createTenant, type TestTenant } from './tenant';
import { inviteToken, inviteUser, uniqueEmail } from './users';

// The tenant dashboard's browser tests: one Chromium for a file, signed-in pages, and the checks
// those tests make of a page (layout on a phone, axe-core, the QR on screen).
/** The password every signed-in dashboard of the tests chose. */
export const PASSWORD = 'a long enough password';
/** Set to write a screenshot of each page into docs/dashboard/ (they are committed). */
const SCREENSHOTS = process.env.PASSGATE_SCREENSHOTS === '1';

/**
 * What breaks a page on a phone: the page scrolling sideways, anything outside a region that
 * scrolls on its own (a table's, the navigation's) reaching past the screen's edge, radio
 * buttons and checkboxes stretched, and dropdowns squeezed too narrow to show their value.
 */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const found: string[] = [];
    const name = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ')[0]}` : ''} "${(el.textContent ?? '').trim().slice(0, 30)}"`;
    const sideways = document.documentElement.scrollWidth - width;
    if (sideways > 1) found.push(`the page scrolls sideways by ${sideways} px`);
    const inScrollingRegion = (el: Element) => {
      for (let up = el.parentElement; up; up = up.parentElement) {
        if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(up).overflowX)) return true;
      }
      return false;
    };
    for (const el of document.body.querySelectorAll('*')) {
      const box = el.getBoundingClientRect();
      if (box.width === 0) continue;
      if (el.matches('input[type=radio], input[type=checkbox]') && box.width > 40)
        found.push(`${name(el)} is ${Math.round(box.width)} px wide`);
      if (el.matches('select') && box.width < 64)
        found.push(`${name(el)} is only ${Math.round(box.width)} px wide`);
      if (box.right > width + 1 && !inScrollingRegion(el))
        found.push(`${name(el)} reaches ${Math.round(box.right)} px`);
    }
    return found;
  });
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window)))
    await page.addScriptTag({ content: axe.source });
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: typeof axe }).axe.run(document, {
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.join(', ')}`);
}

export async function screenshot(page: Page, name: string) {
  if (!SCREENSHOTS) return;
  await page.screenshot({
    path: path.join(REPO_ROOT, 'docs/dashboard', `${name}.png`),
    fullPage: true,
  });
}

/** The QR code image on the page, read by the scanner's own decoder. */
export async function readQr(page: Page, selector: string): Promise<string> {
  const frame = await page.locator(selector).evaluate((img: HTMLImageElement) => {
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const context = canvas.getContext('2d') as CanvasRenderingContext2D;
    context.drawImage(img, 0, 0);
    const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const gray: number[] = [];
    for (let i = 0; i < rgba.length; i += 4) gray.push(rgba[i] as number);
    return { pixels: gray, width: canvas.width, height: canvas.height };
  });
  const decode = createFrameDecoder();
  const image = {
    pixels: Uint8ClampedArray.from(frame.pixels),
    width: frame.width,
    height: frame.height,
  };
  for (let view = 0; view < 8; view++) {
    const text = decode(image);
    if (text) return text;
  }
  throw new Error('no QR code read from the image');
}

/** Goes to a dashboard route (its hash) and waits for its heading. */
export async function go(page: Page, route: string, heading: string | RegExp) {
  await page.evaluate((hash) => {
    location.hash = hash;
  }, route);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

/**
 * One Chromium for the test file and a tenant of the run's server; `signedIn` opens a signed-in
 * dashboard of a tenant in a new browser context. Call once at the top of a test file.
 */
export function useDashboardPages() {
  let browser: Browser;
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTenant();
    if (hasChromium()) browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  /**
   * A signed-in dashboard in a new context: an invited user sets a password through the link.
   * `bypassCSP` lets the test inject axe-core into the page; the app itself runs under its policy.
   */
  async function signedIn(
    owner: TestTenant,
    options: { role?: 'admin' | 'staff'; width?: number } = {},
  ): Promise<{ page: Page; context: BrowserContext; email: string }> {
    const context = await browser.newContext({
      viewport: { width: options.width ?? 1280, height: 900 },
      bypassCSP: true,
      acceptDownloads: true,
    });
    const page = await context.newPage();
    const email = uniqueEmail('dash');
    const invite = await inviteUser(owner, { email, role: options.role ?? 'admin' });
    // The link's path and token, on the test's server: a CLI that opens PostgreSQL itself does not
    // know the port the server took, and names PUBLIC_URL's default.
    await page.goto(`${owner.server.url}/dashboard/#invite=${inviteToken(invite.inviteUrl)}`);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('The same password again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    return { page, context, email };
  }

  return {
    signedIn,
    get browser() {
      return browser;
    },
    get tenant() {
      return tenant;
    },
  };
}
