import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { createFreshDatabase } from '../support/database';
import { startServer } from '../support/server';
import { median, percentile } from './load';
import { cpuSnapshot } from './machine';

// Open live scan streams on one server (`GET /scans/stream`, as each open dashboard holds one):
// 1,000 streams over 100 tenants. Measured against the same server with no stream open, in the
// same run: the database's transactions a second (every read the poller makes is one; PostgreSQL
// counts a connection's with a lag of up to 10 s, so the windows are 20 s long), the
// server's CPU while nothing is scanned, and how long a scan takes to reach every stream of its
// tenant.

export interface StreamsBench {
  tenants: number;
  streams: number;
  /** Transactions a second on the server's database: no stream open, then the streams open. */
  idleReadsPerSecond: number;
  openReadsPerSecond: number;
  /** The server's CPU, in % of one core: no stream open, then the streams open. */
  idleCpuPercent: number;
  openCpuPercent: number;
  /** From each scan's answer to its event at each stream of its tenant, in ms. */
  deliveryMs: number[];
}

const TENANTS = 100;
const STREAMS_PER_TENANT = 10;
const WINDOW_MS = 20_000;
const ROUNDS = 5;

/** A JSON POST with a key; the answer's status and body. */
async function post(url: string, apiKey: string, body: unknown) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Committed transactions of the database, and the server's CPU in ms. */
async function sample(client: pg.Client, database: string, serverPid: number) {
  await client.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await client.query(
    'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1',
    [database],
  );
  return { transactions: Number(rows[0].n), cpuMs: cpuSnapshot(serverPid)?.serverMs ?? Number.NaN };
}

/** What the server and its database did over one window. */
async function measureWindow(client: pg.Client, database: string, serverPid: number) {
  const before = await sample(client, database, serverPid);
  await sleep(WINDOW_MS);
  const after = await sample(client, database, serverPid);
  // The query that reads the counters is a transaction of its own, on the same database.
  const perSecond = (after.transactions - before.transactions - 1) / (WINDOW_MS / 1000);
  return { perSecond, cpuPercent: ((after.cpuMs - before.cpuMs) / WINDOW_MS) * 100 };
}

/** An event stream read as it comes, calling `onScan` with each scan's id. */
async function openStream(url: string, apiKey: string, onScan: (scanId: string) => void) {
  const controller = new AbortController();
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${apiKey}`, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  if (!res.ok || !res.body) throw new Error(`stream: HTTP ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let ready: () => void = () => {};
  const isReady = new Promise<void>((resolve) => {
    ready = resolve;
  });
  void (async () => {
    let buffer = '';
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: '' }));
      if (done) return;
      buffer += value;
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (event.includes('event: ready')) ready();
        const data = /^data: (.*)$/m.exec(event)?.[1];
        if (event.includes('event: scan') && data) onScan(JSON.parse(data).id);
      }
    }
  })();
  await isReady;
  return () => controller.abort();
}

export async function benchStreams(options: {
  serverUrl: string;
  serverPid: number;
  databaseUrl: string;
}): Promise<StreamsBench> {
  const { serverUrl, serverPid, databaseUrl } = options;
  const database = new URL(databaseUrl).pathname.slice(1);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const closers: (() => void)[] = [];
  try {
    // Tenants and keys straight in SQL; a multi pass each through the API.
    const tenants = Array.from({ length: TENANTS }, (_, i) => ({
      id: `tenant_streams${String(i).padStart(4, '0')}`,
      apiKey: `2pk_${randomBytes(24).toString('base64url')}`,
      code: '',
    }));
    for (const tenant of tenants) {
      await client.query(
        `INSERT INTO tenants (id, name, plan, max_passes) VALUES ($1, $1, 'pro', NULL)`,
        [tenant.id],
      );
      await client.query(
        `INSERT INTO api_keys (id, tenant_id, prefix, key_hash, scope, rate_limit)
         VALUES ($1, $2, $3, $4, 'full', 1000000)`,
        [
          `key_${randomBytes(15).toString('base64url')}`,
          tenant.id,
          tenant.apiKey.slice(0, 12),
          createHash('sha256').update(tenant.apiKey).digest('hex'),
        ],
      );
      const pass = await post(`${serverUrl}/api/v1/passes`, tenant.apiKey, { type: 'multi' });
      if (pass.status !== 201) throw new Error(`pass: ${JSON.stringify(pass.body)}`);
      tenant.code = pass.body.code;
    }
    await sleep(2_000);
    const idle = await measureWindow(client, database, serverPid);

    /** When each stream got each scan: by scan id, one time a stream. */
    const arrivals = new Map<string, number[]>();
    for (const tenant of tenants) {
      for (let i = 0; i < STREAMS_PER_TENANT; i++) {
        closers.push(
          await openStream(`${serverUrl}/api/v1/scans/stream`, tenant.apiKey, (scanId) => {
            const times = arrivals.get(scanId) ?? [];
            times.push(performance.now());
            arrivals.set(scanId, times);
          }),
        );
      }
    }
    await sleep(2_000);
    const open = await measureWindow(client, database, serverPid);

    const deliveryMs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Scans come at any moment of the poller's interval, not just after a look.
      await sleep(Math.random() * 1_000);
      const scanned = await Promise.all(
        tenants.map(async (tenant) => {
          const res = await post(`${serverUrl}/api/v1/scan`, tenant.apiKey, { code: tenant.code });
          return { scanId: res.body.scan.id as string, at: performance.now() };
        }),
      );
      const deadline = performance.now() + 10_000;
      const allArrived = () =>
        scanned.every(({ scanId }) => (arrivals.get(scanId)?.length ?? 0) >= STREAMS_PER_TENANT);
      while (!allArrived() && performance.now() < deadline) await sleep(20);
      for (const { scanId, at } of scanned) {
        const times = arrivals.get(scanId) ?? [];
        for (const time of times) deliveryMs.push(time - at);
        // A stream the scan never reached counts as the whole wait.
        for (let i = times.length; i < STREAMS_PER_TENANT; i++) deliveryMs.push(10_000);
      }
    }
    return {
      tenants: TENANTS,
      streams: TENANTS * STREAMS_PER_TENANT,
      idleReadsPerSecond: idle.perSecond,
      openReadsPerSecond: open.perSecond,
      idleCpuPercent: idle.cpuPercent,
      openCpuPercent: open.cpuPercent,
      deliveryMs: deliveryMs.sort((a, b) => a - b),
    };
  } finally {
    for (const close of closers) close();
    await client.end();
  }
}

/** The section of `pnpm bench`, on a server and database of its own: its lines. */
export async function streamsSection(baseUrl: string) {
  const database = await createFreshDatabase(baseUrl, 'passgate_bench_streams');
  // The webhook worker as the server ships it, not the tests' quick one: its looks are
  // transactions too.
  const server = await startServer({
    databaseUrl: database.url,
    env: { WEBHOOK_POLL_MS: '', WEBHOOK_RETRY_SCHEDULE: '', WEBHOOK_TIMEOUT_MS: '' },
  });
  try {
    const bench = await benchStreams({
      serverUrl: server.url,
      serverPid: server.process.pid!,
      databaseUrl: database.url,
    });
    const { deliveryMs: delivery } = bench;
    const p99 = percentile(delivery, 99);
    const added = bench.openReadsPerSecond - bench.idleReadsPerSecond;
    return [
      `\n${bench.streams.toLocaleString('en')} open scan streams over ${bench.tenants} tenants, one server (PostgreSQL)`,
      `Database transactions a second: ${bench.idleReadsPerSecond.toFixed(1)} with no stream open, ${bench.openReadsPerSecond.toFixed(1)} with the streams open (+${added.toFixed(1)}: the poller's two statements a look, every tenant in one; target ≤ one read a tenant a look, ${bench.tenants} here)`,
      `Server CPU while nothing is scanned: ${bench.idleCpuPercent.toFixed(1)}% of a core with no stream open, ${bench.openCpuPercent.toFixed(1)}% with the streams open (target < 10%)`,
      `A scan to every stream of its tenant, ${delivery.length} deliveries: median ${median(delivery).toFixed(0)} ms, p99 ${p99.toFixed(0)} ms (target ≤ 1,000 ms)`,
    ];
  } finally {
    await server.stop();
    await database.drop();
  }
}
