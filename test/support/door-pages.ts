import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterEach, expect } from 'vitest';
import { launchChromium } from './browser';
import { http, type TestTenant } from './tenant';

// The door in Chromium, as its tests drive it: paired by its one-time link in a phone-sized
// browser of its own (closed after each test), codes typed in, its verdict and its IndexedDB read.

const browsers: Browser[] = [];
/** Closes the doors' browsers after each test; call once at the top of a test file. */
export function useDoorBrowsers() {
  afterEach(async () => {
    await Promise.all(browsers.splice(0).map((browser) => browser.close()));
  });
}

export interface Door {
  page: Page;
  context: BrowserContext;
  deviceId: string;
}

/** A new door device of `owner`, paired by opening its link in a fresh phone-sized browser. */
export async function openDoor(
  owner: TestTenant,
  name = 'North door',
  locationId: string | null = null,
): Promise<Door> {
  const created = await http(`${owner.apiUrl}/devices`, {
    key: owner.apiKey,
    json: { name, locationId },
  });
  expect(created.status).toBe(201);
  const browser = await launchChromium();
  browsers.push(browser);
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(created.body.pairingUrl);
  await page.locator('#scan').waitFor({ state: 'visible' });
  await listIsSynced(page);
  return { page, context, deviceId: created.body.device.id };
}

/** Waits until the door's bar says the list is current and nothing waits to upload. */
export async function listIsSynced(page: Page) {
  await expect
    .poll(() => page.locator('#door-status').textContent(), { timeout: 20_000 })
    .toMatch(/^Online · 0 waiting · list from /);
}

/** Brings the door's list up to date now (as the 30-second sync would), from its settings. */
export async function syncNow(page: Page) {
  await page.locator('#open-settings').click();
  await page.locator('#sync-now').click();
  await page.locator('#close-settings').click();
}

/** The door's copy of a pass, as its IndexedDB holds it. */
export function storedPass(page: Page, code: string) {
  return page.evaluate(async (code) => {
    const db = await new Promise<IDBDatabase>((resolve) => {
      const open = indexedDB.open('passgate-door');
      open.onsuccess = () => resolve(open.result);
    });
    const row = await new Promise<{ status: string; inside?: boolean | null } | undefined>(
      (resolve) => {
        const get = db.transaction('passes').objectStore('passes').get(code);
        get.onsuccess = () => resolve(get.result);
      },
    );
    db.close();
    return row;
  }, code);
}

/** Takes the last admit back with the verdict's Undo, and waits for the door to say so. */
export async function undo(page: Page) {
  await page.locator('#undo').click();
  await expect.poll(() => page.locator('#verdict-title').textContent()).toBe('Undone');
}

export async function typeCode(page: Page, code: string) {
  await page.locator('#verdict').evaluate((el) => el.setAttribute('hidden', ''));
  await page.locator('#manual-code').fill(code);
  await page.locator('#manual button').click();
}

/** The verdict on screen once one is shown (not "Checking…"). */
export async function verdict(page: Page) {
  await page.locator('#verdict:not([data-tone="pending"])').waitFor({ state: 'visible' });
  return {
    tone: await page.locator('#verdict').getAttribute('data-tone'),
    title: await page.locator('#verdict-title').textContent(),
    detail: await page.locator('#verdict-detail').textContent(),
  };
}

export async function scanAt(page: Page, code: string) {
  await typeCode(page, code);
  return verdict(page);
}

export const passOf = async (owner: TestTenant, id: string) =>
  (await http(`${owner.apiUrl}/passes/${id}`, { key: owner.apiKey })).body;
export const scansOf = async (owner: TestTenant, query: string) =>
  (await http(`${owner.apiUrl}/scans?${query}`, { key: owner.apiKey })).body;

/** What the door holds in IndexedDB: passes and queued uploads. */
export const held = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<{ passes: number; queue: number }>((resolve, reject) => {
        const open = indexedDB.open('passgate-door');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['passes', 'queue']);
          const passes = tx.objectStore('passes').count();
          const queue = tx.objectStore('queue').count();
          tx.oncomplete = () => {
            resolve({ passes: passes.result, queue: queue.result });
            db.close();
          };
        };
      }),
  );
