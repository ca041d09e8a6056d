import { request } from 'node:http';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { newId, newPassCode } from '../../server/src/domain/ids';
import { launchChromium } from '../support/browser';
import { percentile } from './load';

// The door as an edge app, in headless Chromium against the real server: a full sync of a large
// tenant into IndexedDB, an incremental sync, the offline verdict, and the upload queue's drain
// against the same scans sent online from the same page.

export interface DoorBench {
  passes: number;
  fullSyncMs: number;
  heapBytes: number;
  wireBytes: number;
  jsonBytes: number;
  incrementalSyncMs: number;
  offlineVerdictsMs: number[];
  /** Offline verdicts of signed codes of passes made after the door's last sync. */
  signedVerdictsMs: number[];
  queued: number;
  drainMs: number;
  onlineMs: number;
}

/**
 * Adds `count` active single passes to the tenant straight in SQL (the API would take minutes),
 * with random codes and ids as the API makes them, and a holder's name on each.
 */
export async function insertPasses(
  databaseUrl: string,
  tenantId: string,
  count: number,
  options: { answer?: boolean } = {},
) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (let from = 0; from < count; from += 10_000) {
      const size = Math.min(10_000, count - from);
      const ids = Array.from({ length: size }, () => newId('pass'));
      const codes = Array.from({ length: size }, () => newPassCode());
      await client.query(
        `INSERT INTO passes (id, tenant_id, code, public_token, name, type, status, fields, updated_at)
         SELECT id, $1, code, md5(code), 'Guest ' || n, 'single', 'active', '[]', now()
           FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS input (id, code, n)`,
        [tenantId, ids, codes],
      );
    }
    if (options.answer === false) return [];
    const { rows } = await client.query<{ code: string; id: string }>(
      'SELECT code, id FROM passes WHERE tenant_id = $1 ORDER BY id',
      [tenantId],
    );
    return rows;
  } finally {
    await client.end();
  }
}

/** Every page of a full sync as the wire carries it with gzip accepted, and as JSON. */
async function syncSizes(serverUrl: string, key: string) {
  let cursor: string | undefined;
  let wire = 0;
  let json = 0;
  for (;;) {
    const url = new URL(`${serverUrl}/api/v1/scanner/sync`);
    if (cursor) url.searchParams.set('cursor', cursor);
    const raw = await new Promise<Buffer>((resolve, reject) => {
      request(
        url,
        { headers: { authorization: `Bearer ${key}`, 'accept-encoding': 'gzip' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () => resolve(Buffer.concat(chunks)));
        },
      )
        .on('error', reject)
        .end();
    });
    wire += raw.length;
    const { gunzipSync } = await import('node:zlib');
    const text = gunzipSync(raw).toString();
    json += text.length;
    const page = JSON.parse(text) as { cursor: string; hasMore: boolean };
    cursor = page.cursor;
    if (!page.hasMore) return { wire, json };
  }
}

const verdictMeasures = (page: Page) =>
  page.evaluate(() => {
    const entries = performance.getEntriesByName('passgate:verdict');
    performance.clearMeasures('passgate:verdict');
    return entries.map((entry) => entry.duration);
  });

/** A code into the scanner's code box, sent with Enter (the verdict screen may cover the box). */
async function typeCode(page: Page, code: string) {
  await page.locator('#manual-code').fill(code);
  await page.locator('#manual-code').press('Enter');
}

/** Until the door's bar says `count` scans wait to upload. */
const untilWaiting = (page: Page, count: number) =>
  page.waitForFunction(
    (count) =>
      new RegExp(` ${count} waiting`).test(
        document.getElementById('door-status')?.textContent ?? '',
      ),
    count,
    { timeout: 120_000 },
  );

const waiting = async (page: Page) =>
  Number(/(\d+) waiting/.exec((await page.locator('#door-status').textContent()) ?? '')?.[1]);

export async function benchDoor(options: {
  serverUrl: string;
  databaseUrl: string;
  /** A full key of a fresh tenant, and the tenant's id. */
  apiKey: string;
  tenantId: string;
  passes?: number;
  queued?: number;
}): Promise<DoorBench> {
  const { serverUrl, databaseUrl, apiKey, tenantId } = options;
  const passCount = options.passes ?? 100_000;
  const queued = options.queued ?? 1000;
  const passes = await insertPasses(databaseUrl, tenantId, passCount);
  const sizes = await syncSizes(serverUrl, apiKey);
  const api = (path: string, body?: unknown) =>
    fetch(`${serverUrl}/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then((res) => res.json() as Promise<Record<string, unknown>>);
  // The bench measures the door, not its budget: its credential is not rate limited.
  const device = (await api('/devices', { name: 'Bench door', rateLimit: 1_000_000_000 })) as {
    pairingUrl: string;
  };

  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const status = page.locator('#door-status');
    // Full sync: from opening the pairing link to the whole list in IndexedDB.
    const started = performance.now();
    await page.goto(device.pairingUrl.replace(/^https?:\/\/[^/]+/, serverUrl));
    await page.locator('#door-status[data-list-from]:not([data-list-from=""])').waitFor({
      timeout: 120_000,
    });
    const fullSyncMs = performance.now() - started;
    // The page's JavaScript heap with the whole list in memory (Chromium's performance.memory).
    const heapBytes = await page.evaluate(
      () =>
        (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize,
    );

    // Incremental: ten passes revoked, then "Update the pass list now".
    for (const pass of passes.slice(0, 10)) await api(`/passes/${pass.id}/revoke`);
    const before = await status.getAttribute('data-list-from');
    await page.locator('#open-settings').click();
    const syncStarted = performance.now();
    await page.locator('#sync-now').click();
    await page.waitForFunction(
      (previous) => document.getElementById('door-status')?.dataset.listFrom !== previous,
      before,
    );
    const incrementalSyncMs = performance.now() - syncStarted;
    await page.locator('#close-settings').click();

    // Offline: each code decided on the phone and queued; the verdict time is the page's own.
    await context.setOffline(true);
    await page.waitForFunction(
      () => document.getElementById('door-status')?.dataset.online === 'false',
    );
    await verdictMeasures(page);
    const offlineCodes = passes.slice(10, 10 + queued).map((pass) => pass.code);
    for (const code of offlineCodes) await typeCode(page, code);
    await untilWaiting(page, queued);
    const offlineVerdictsMs = (await verdictMeasures(page)).sort((a, b) => a - b);

    // Back online: the queue drains in the background.
    const drainStarted = performance.now();
    await context.setOffline(false);
    await page.waitForFunction(
      () => / 0 waiting/.test(document.getElementById('door-status')?.textContent ?? ''),
      undefined,
      { timeout: 300_000, polling: 50 },
    );
    const drainMs = performance.now() - drainStarted;
    if ((await waiting(page)) !== 0) throw new Error('the queue did not drain');

    // The same number of scans sent online, one after another, from the same page.
    const onlineCodes = passes.slice(10 + queued, 10 + 2 * queued).map((pass) => pass.code);
    const onlineMs = await page.evaluate(
      async ({ codes, key }) => {
        const start = performance.now();
        for (const code of codes) {
          const res = await fetch('/api/v1/scan', {
            method: 'POST',
            headers: {
              authorization: `Bearer ${key}`,
              'content-type': 'application/json',
              // As the scanner sends its scans, and its uploads.
              'idempotency-key': `${code}-online`,
            },
            body: JSON.stringify({ code }),
          });
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
        }
        return performance.now() - start;
      },
      { codes: onlineCodes, key: apiKey },
    );

    // Signed codes of passes sold after the door's last sync: each verified on the phone.
    const signedCodes: string[] = [];
    for (let i = 0; i < queued; i++) {
      const made = (await api('/passes', { type: 'single', name: `Walk-in ${i}` })) as {
        id: string;
      };
      const pass = await fetch(`${serverUrl}/api/v1/passes/${made.id}`, {
        headers: { authorization: `Bearer ${apiKey}` },
      }).then((res) => res.json() as Promise<{ signedCode: string }>);
      signedCodes.push(pass.signedCode);
    }
    await context.setOffline(true);
    await page.waitForFunction(
      () => document.getElementById('door-status')?.dataset.online === 'false',
    );
    await verdictMeasures(page);
    for (const code of signedCodes) await typeCode(page, code);
    await untilWaiting(page, queued);
    const signedVerdictsMs = (await verdictMeasures(page)).sort((a, b) => a - b);
    return {
      passes: passCount,
      fullSyncMs,
      heapBytes,
      wireBytes: sizes.wire,
      jsonBytes: sizes.json,
      incrementalSyncMs,
      offlineVerdictsMs,
      signedVerdictsMs,
      queued,
      drainMs,
      onlineMs,
    };
  } finally {
    await browser.close();
  }
}

export const p99 = (sorted: number[]) => percentile(sorted, 99);
