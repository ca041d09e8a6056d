import { createServer, request } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { admin } from '../support/admin';
import { newDataDir, startServer } from '../support/server';
import { scanLoad } from './http-connection';
import { type LoadResult, runLoad } from './load';

// The embedded database (PGlite), as a new user runs it:
// - the floor: PGlite in this very process doing the scan's essential SQL (a conditional UPDATE
//   and an INSERT, one transaction per scan, no HTTP) on the server's own schema, 32 at a time;
// - the API's closed loop on the server over the same database;
// - the API's closed loop again while a 10,000-row import, an export of every pass and a backlog
//   of webhook deliveries run, with `/healthz` asked every 100 ms meanwhile.

export interface EmbeddedBench {
  floor: LoadResult;
  api: LoadResult;
  busy: LoadResult;
  passes: number;
  backlog: number;
  importMs: number;
  importRows: number;
  exportMs: number;
  exportRows: number;
  healthWorstMs: number;
  healthFailures: number;
}

const SCAN_PASSES = 300;
const IMPORT_ROWS = 10_000;

const csvOf = (rows: number, from: number) =>
  ['name,type', ...Array.from({ length: rows }, (_, i) => `Guest ${from + i},single`)].join('\n');

/** A receiver that answers every delivery after `delayMs`: the backlog drains slowly. */
async function slowReceiver(delayMs: number) {
  const server = createServer((req, res) => {
    req.resume();
    setTimeout(() => res.end('ok'), delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, close: () => server.close() };
}

/** GET `url` until `stop()`, every 100 ms: the slowest answer, and how many were not 200. */
function watchHealth(url: string) {
  let worst = 0;
  let failures = 0;
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const started = performance.now();
      const status = await fetch(url, { signal: AbortSignal.timeout(10_000) })
        .then((res) => res.status)
        .catch(() => 0);
      worst = Math.max(worst, performance.now() - started);
      if (status !== 200) failures++;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await done;
      return { worst, failures };
    },
  };
}

/** Streams a GET to nowhere: the rows (lines) it held. */
function drain(url: string, headers: Record<string, string>) {
  return new Promise<number>((resolve, reject) => {
    request(url, { headers }, (res) => {
      let lines = 0;
      res.on('data', (chunk: Buffer) => {
        for (const byte of chunk) if (byte === 10) lines++;
      });
      res.on('end', () => resolve(lines));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

/** What the floor uses of PGlite (the bench resolves it from the server's dependencies). */
interface Queries {
  query<T>(sql: string, params: unknown[]): Promise<{ rows: T[] }>;
}
interface InProcessPGlite extends Queries {
  transaction(work: (tx: Queries) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** The floor: this process's own PGlite on `pgdata`, the scan's essential SQL, `concurrency` at a time. */
async function measureFloor(
  pgdata: string,
  tenantId: string,
  codes: string[],
  concurrency: number,
  durationMs: number,
) {
  const fromServer = createRequire(new URL('../../server/package.json', import.meta.url));
  const { PGlite } = (await import(fromServer.resolve('@electric-sql/pglite'))) as {
    PGlite: { create(dir: string, options: object): Promise<InProcessPGlite> };
  };
  const { pg_trgm } = await import(fromServer.resolve('@electric-sql/pglite/contrib/pg_trgm'));
  const pglite = await PGlite.create(pgdata, { extensions: { pg_trgm } });
  try {
    const { rows } = await pglite.query<{ id: string }>(
      'SELECT id FROM api_keys WHERE tenant_id = $1',
      [tenantId],
    );
    const keyId = rows[0]?.id;
    let seq = 0;
    const scan = (worker: number, i: number) =>
      pglite.transaction(async (tx) => {
        const now = new Date();
        const admitted = await tx.query<{ id: string }>(
          `UPDATE passes SET usages_count = usages_count + 1, last_admitted_at = $3, updated_at = $3
            WHERE tenant_id = $1 AND code = $2 AND status = 'active'
              AND (valid_from IS NULL OR valid_from <= $3) AND (valid_until IS NULL OR valid_until >= $3)
              AND NOT (type = 'multi' AND max_usages IS NOT NULL AND usages_count >= max_usages)
            RETURNING id`,
          [tenantId, codes[(worker * 7919 + i) % codes.length], now],
        );
        await tx.query(
          `INSERT INTO scans (id, tenant_id, pass_id, api_key_id, device, result, scanned_at, received_at)
           VALUES ($1, $2, $3, $4, NULL, 'success', $5, $5)`,
          [`scan_floor_${seq++}`, tenantId, admitted.rows[0]?.id, keyId, now],
        );
      });
    await runLoad(concurrency, 1000, scan);
    return await runLoad(concurrency, durationMs, scan);
  } finally {
    await pglite.close();
  }
}

export async function benchEmbedded(options: {
  concurrency: number;
  durationMs: number;
  passes: number;
  backlog: number;
}): Promise<EmbeddedBench> {
  const { concurrency, durationMs } = options;
  const dataDir = newDataDir();
  const receiver = await slowReceiver(1000);
  const env = { WEBHOOK_ALLOW_PRIVATE: '1', WEBHOOK_RETRY_SCHEDULE: '', WEBHOOK_POLL_MS: '' };
  let server = await startServer({ dataDir, env });
  const made = await admin<{ tenant: { id: string }; apiKey: string }>(
    server.env,
    'tenant',
    'create',
    '--name',
    'Embedded bench',
    '--rate-limit',
    '1000000000',
  );
  const headers = { authorization: `Bearer ${made.apiKey}` };
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}/api/v1${path}`, {
      ...init,
      headers: { ...headers, ...(init.headers as Record<string, string>) },
    });
  const importCsv = async (csv: string) => {
    const res = await api('/passes/import', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csv,
    });
    if (res.status !== 200) throw new Error(`import: HTTP ${res.status} ${await res.text()}`);
  };
  const codes: string[] = [];
  for (let i = 0; i < SCAN_PASSES; i++) {
    const res = await api('/passes', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'multi', name: `Scanned ${i}` }),
    });
    codes.push(((await res.json()) as { code: string }).code);
  }
  await server.stop();
  const floor = await measureFloor(
    `${dataDir}/pgdata`,
    made.tenant.id,
    codes,
    concurrency,
    durationMs,
  );
  server = await startServer({ dataDir, env });

  const scans = scanLoad(server.url, made.apiKey, codes, concurrency);
  const { scan } = scans;
  await runLoad(concurrency, 2000, scan);
  const quiet = await runLoad(concurrency, durationMs, scan);

  // The busy server: passes to export, and a backlog of deliveries to a slow receiver.
  for (let made = 0; made < options.passes; made += IMPORT_ROWS) {
    await importCsv(csvOf(Math.min(IMPORT_ROWS, options.passes - made), made));
  }
  const hook = await api('/webhooks', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ event: 'pass.created', targetUrl: receiver.url }),
  });
  if (hook.status !== 201) throw new Error(`webhook: HTTP ${hook.status}`);
  await importCsv(csvOf(options.backlog, options.passes));

  const health = watchHealth(`${server.url}/healthz`);
  const load = runLoad(concurrency, durationMs, scan);
  await new Promise((resolve) => setTimeout(resolve, Math.min(1000, durationMs / 4)));
  const importing = (async () => {
    const started = performance.now();
    await importCsv(csvOf(IMPORT_ROWS, options.passes + options.backlog));
    return performance.now() - started;
  })();
  const exporting = (async () => {
    const started = performance.now();
    const rows = await drain(`${server.url}/api/v1/passes/export`, headers);
    return { ms: performance.now() - started, rows: rows - 1 };
  })();
  const [busy, importMs, exported] = await Promise.all([load, importing, exporting]);
  const { worst, failures } = await health.stop();
  scans.close();
  await server.stop();
  receiver.close();
  return {
    floor,
    api: quiet,
    busy,
    passes: options.passes + SCAN_PASSES,
    backlog: options.backlog,
    importMs,
    importRows: IMPORT_ROWS,
    exportMs: exported.ms,
    exportRows: exported.rows,
    healthWorstMs: worst,
    healthFailures: failures,
  };
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

export function describeEmbedded(bench: EmbeddedBench): string[] {
  const { floor, api, busy } = bench;
  return [
    `Embedded floor (PGlite in-process, one UPDATE + one INSERT a commit): ${floor.perSecond.toFixed(0)} scans/s, p50 ${ms(floor.p50)}, p99 ${ms(floor.p99)}`,
    `Embedded API: ${api.perSecond.toFixed(0)} scans/s (${(api.perSecond / floor.perSecond).toFixed(2)} of the floor; target ≥ 1,000/s), p50 ${ms(api.p50)}, p99 ${ms(api.p99)} (target ≤ 100 ms), p99/p50 ${(api.p99 / api.p50).toFixed(1)} (target ≤ 3), errors ${api.errors}`,
    `Embedded API while a ${bench.importRows.toLocaleString('en')}-row import (${(bench.importMs / 1000).toFixed(1)} s), an export of ${bench.exportRows.toLocaleString('en')} passes (${(bench.exportMs / 1000).toFixed(1)} s) and ${bench.backlog.toLocaleString('en')} pending deliveries run: ${busy.perSecond.toFixed(0)} scans/s, p50 ${ms(busy.p50)}, p99 ${ms(busy.p99)} (target ≤ 250 ms), errors ${busy.errors}; /healthz slowest ${ms(bench.healthWorstMs)} (target ≤ 1.5 s), not 200: ${bench.healthFailures}`,
  ];
}

/** The section of `pnpm bench`: its lines. */
export async function embeddedSection(concurrency: number, durationMs: number) {
  const bench = await benchEmbedded({
    concurrency,
    durationMs,
    passes: Number(process.env.BENCH_EMBEDDED_PASSES ?? 100_000),
    backlog: 5000,
  });
  return [
    `\nThe embedded database, ${bench.passes.toLocaleString('en')} passes`,
    ...describeEmbedded(bench),
  ];
}
