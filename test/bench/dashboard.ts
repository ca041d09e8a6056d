import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import pg from 'pg';
import { admin } from '../support/admin';
import { launchChromium } from '../support/browser';
import { REPO_ROOT } from '../support/server';
import { insertPasses } from './door';

// The dashboard against a tenant of a million passes: what its first load downloads, the passes
// page's list request (against the same SQL sent straight through pg, in the same run), the time
// to its first table, and a CSV export of every pass with the server's memory meanwhile, made by a
// server whose JavaScript heap is capped far below the export's size.

export interface DashboardBench {
  passes: number;
  /** The JavaScript of the first load as the server sends it with gzip accepted, and as files. */
  jsWireBytes: number;
  jsBytes: number;
  listMs: number[];
  /** The list's statements (the page, the count up to its bound, the estimate) through pg. */
  listFloorMs: number[];
  /** The list's first page under each filter, and a deep page by cursor and by number. */
  filtered: { name: string; ms: number[] }[];
  firstTableMs: number[];
  exportMs: number;
  exportBytes: number;
  exportRows: number;
  /** The server's resident memory before the export, and its peak during it. */
  rssBeforeBytes: number;
  rssPeakBytes: number;
  /** The same for an export of 10,000 passes, to show memory does not grow with the export. */
  smallExport: { rows: number; rssPeakBytes: number; rssBeforeBytes: number };
}

/** Resolves with the page's `performance.now()` in the first frame that shows a table row. */
const FIRST_ROW_AT = `new Promise((resolve) => {
  const look = () =>
    document.querySelector('tbody tr') ? resolve(performance.now()) : requestAnimationFrame(look);
  look();
})`;

/** GET `url` with gzip accepted: the bytes on the wire and the time to the last one. */
function download(url: string, headers: Record<string, string>) {
  return new Promise<{ bytes: number; ms: number; body: Buffer }>((resolve, reject) => {
    const started = performance.now();
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ bytes: body.length, ms: performance.now() - started, body });
      });
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

/**
 * The passes list's first page under each filter the issue names (1,000 of the passes given a
 * client, 1,000 a location), and page 40,000 by its keyset place and by its number: 20 requests
 * each after 5 to warm up, in ms, sorted.
 */
async function listUnderFilters(
  serverUrl: string,
  tenant: { apiKey: string; tenant: { id: string } },
  client: pg.Client,
) {
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${serverUrl}/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await res.json()) as { id: string };
  };
  const holder = await post('/clients', { name: 'Bench holder' });
  const hall = await post('/locations', { name: 'Bench hall' });
  for (const [column, id] of [
    ['client_id', holder.id],
    ['location_id', hall.id],
  ] as const) {
    await client.query(
      `UPDATE passes SET ${column} = $2 WHERE id IN
         (SELECT id FROM passes WHERE tenant_id = $1 ORDER BY random() LIMIT 1000)`,
      [tenant.tenant.id, id],
    );
  }
  await client.query('ANALYZE passes');
  const { rows } = await client.query(
    `SELECT id FROM passes WHERE tenant_id = $1
      ORDER BY created_at DESC, id DESC OFFSET ${40_000 * 25 - 26} LIMIT 1`,
    [tenant.tenant.id],
  );
  const deep = rows[0]?.id as string | undefined;
  const queries: [string, string][] = [
    ['unfiltered', ''],
    ['status=active', 'status=active'],
    ['type=single', 'type=single'],
    ['status=used (none)', 'status=used'],
    ['status=expired (none)', 'status=expired'],
    ['search=e', 'search=e'],
    ["search=holder (a client's name, 1,000 passes)", 'search=holder'],
    ['search=qzqx (none)', 'search=qzqx'],
    ['clientId (1,000 passes)', `clientId=${holder.id}`],
    ['locationId (1,000 passes)', `locationId=${hall.id}`],
    ['page 40,000 by cursor', deep ? `cursor=k1.${deep}` : ''],
    ['page 40,000 by number', 'page=40000'],
  ];
  const results: { name: string; ms: number[] }[] = [];
  for (const [name, query] of queries) {
    const ms: number[] = [];
    for (let i = 0; i < 25; i++) {
      const started = performance.now();
      const res = await fetch(`${serverUrl}/api/v1/passes?limit=25&${query}`, {
        headers: { authorization: `Bearer ${tenant.apiKey}` },
      });
      await res.arrayBuffer();
      // A request the server gave up on (its query timeout) counts as never answered.
      if (i >= 5) ms.push(res.ok ? performance.now() - started : Number.POSITIVE_INFINITY);
      if (!res.ok && i === 0) break;
    }
    results.push({ name, ms: ms.sort((a, b) => a - b) });
  }
  return results;
}

/** Streams `url` to nowhere, counting bytes and lines, while sampling the server's memory. */
async function exportWatching(url: string, headers: Record<string, string>, pid: number) {
  const rss = () => {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  };
  const rssBeforeBytes = rss();
  let rssPeakBytes = rssBeforeBytes;
  const sampler = setInterval(() => {
    rssPeakBytes = Math.max(rssPeakBytes, rss());
  }, 50);
  const started = performance.now();
  const { bytes, rows } = await new Promise<{ bytes: number; rows: number }>((resolve, reject) => {
    request(url, { headers }, (res) => {
      let count = 0;
      let lines = 0;
      res.on('data', (chunk: Buffer) => {
        count += chunk.length;
        for (const byte of chunk) if (byte === 10) lines++;
      });
      res.on('end', () => resolve({ bytes: count, rows: lines - 1 }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
  clearInterval(sampler);
  rssPeakBytes = Math.max(rssPeakBytes, rss());
  return { ms: performance.now() - started, bytes, rows, rssBeforeBytes, rssPeakBytes };
}

export async function benchDashboard(options: {
  serverUrl: string;
  serverEnv: Record<string, string>;
  /** A second server on the same database whose JavaScript heap is capped: it runs the exports. */
  exportServer: { url: string; pid: number };
  databaseUrl: string;
  passes?: number;
}): Promise<DashboardBench> {
  const { serverUrl, databaseUrl } = options;
  const passCount = options.passes ?? 1_000_000;
  const made = async (name: string) => {
    const tenant = await admin<{ tenant: { id: string }; apiKey: string }>(
      options.serverEnv,
      'tenant',
      'create',
      '--name',
      name,
      '--rate-limit',
      '1000000000',
    );
    const invite = await admin<{ inviteUrl: string }>(
      options.serverEnv,
      'user',
      'create',
      '--tenant',
      tenant.tenant.id,
      '--email',
      `bench.${Date.now()}.${name.replace(/\W/g, '')}@example.com`,
    );
    const accepted = await fetch(`${serverUrl}/api/v1/invites/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token: new URL(invite.inviteUrl).hash.replace('#invite=', ''),
        password: 'a bench password',
      }),
    });
    const cookie = (accepted.headers.get('set-cookie') ?? '').split(';')[0] as string;
    return { ...tenant, cookie };
  };
  const big = await made('Bench dashboard');
  await insertPasses(databaseUrl, big.tenant.id, passCount, { answer: false });
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  // As autovacuum leaves a table that stopped changing: statistics, and a visibility map that lets
  // the count read the index alone.
  await client.query('VACUUM ANALYZE passes');

  // The first load: index.html's scripts, as the server sends them.
  const html = readFileSync(path.join(REPO_ROOT, 'dashboard/dist/index.html'), 'utf8');
  const scripts = [...html.matchAll(/(?:src|href)="(\/dashboard\/assets\/[^"]+\.js)"/g)].map(
    (match) => match[1] as string,
  );
  let jsWireBytes = 0;
  let jsBytes = 0;
  for (const script of scripts) {
    jsWireBytes += (await download(`${serverUrl}${script}`, { 'accept-encoding': 'gzip' })).bytes;
    jsBytes += (await download(`${serverUrl}${script}`, {})).bytes;
  }

  // The passes page's list request, and its two statements through pg.
  const headers = { cookie: big.cookie };
  const listMs: number[] = [];
  for (let i = 0; i < 60; i++) {
    const started = performance.now();
    const res = await fetch(`${serverUrl}/api/v1/passes?page=1&limit=25`, { headers });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`GET /passes: ${res.status}`);
    if (i >= 10) listMs.push(performance.now() - started);
  }
  const listFloorMs: number[] = [];
  for (let i = 0; i < 60; i++) {
    const started = performance.now();
    await Promise.all([
      client.query(
        `SELECT passes.*, clients.name AS client_name FROM passes
           LEFT JOIN clients ON clients.id = passes.client_id
          WHERE passes.tenant_id = $1 ORDER BY passes.created_at DESC, passes.id DESC LIMIT 25`,
        [big.tenant.id],
      ),
      client
        .query(
          `SELECT count(*)::int FROM
             (SELECT 1 FROM passes WHERE tenant_id = $1 LIMIT 10001) AS bounded`,
          [big.tenant.id],
        )
        .then(() =>
          client.query('EXPLAIN (FORMAT JSON) SELECT 1 FROM passes WHERE tenant_id = $1', [
            big.tenant.id,
          ]),
        ),
    ]);
    if (i >= 10) listFloorMs.push(performance.now() - started);
  }
  const filtered = await listUnderFilters(serverUrl, big, client);

  // The first table: from navigating to the passes page to its first row on screen.
  const browser = await launchChromium();
  const firstTableMs: number[] = [];
  try {
    const context = await browser.newContext();
    const [name, value] = big.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: serverUrl }]);
    for (let i = 0; i < 5; i++) {
      const page = await context.newPage();
      await page.goto(`${serverUrl}/dashboard/#/passes`, { waitUntil: 'commit' });
      // Watched from inside the page, frame by frame: the time the first row is there. (Given
      // as text: tsx would wrap a named function in a helper the page does not have.)
      firstTableMs.push(await page.evaluate<number>(FIRST_ROW_AT));
      await page.close();
    }
  } finally {
    await browser.close();
  }

  // Export: every pass, and then a tenant of 10,000, with the server's memory sampled.
  const { exportServer } = options;
  const whole = await exportWatching(
    `${exportServer.url}/api/v1/passes/export`,
    headers,
    exportServer.pid,
  );
  const small = await made('Bench small export');
  await insertPasses(databaseUrl, small.tenant.id, 10_000, { answer: false });
  const smallExport = await exportWatching(
    `${exportServer.url}/api/v1/passes/export`,
    { cookie: small.cookie },
    exportServer.pid,
  );
  await client.end();
  return {
    passes: passCount,
    jsWireBytes,
    jsBytes,
    listMs: listMs.sort((a, b) => a - b),
    listFloorMs: listFloorMs.sort((a, b) => a - b),
    filtered,
    firstTableMs: firstTableMs.sort((a, b) => a - b),
    exportMs: whole.ms,
    exportBytes: whole.bytes,
    exportRows: whole.rows,
    rssBeforeBytes: whole.rssBeforeBytes,
    rssPeakBytes: whole.rssPeakBytes,
    smallExport: {
      rows: smallExport.rows,
      rssBeforeBytes: smallExport.rssBeforeBytes,
      rssPeakBytes: smallExport.rssPeakBytes,
    },
  };
}
