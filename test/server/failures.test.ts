import { spawnSync } from 'node:child_process';
import { rmSync, statfsSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REPO_ROOT, type RunningServer, startServer } from '../support/server';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { http as call, createTenant, type TestTenant } from '../support/tenant';
import { canMount, mountTmpfs } from '../support/tmpfs';

const databaseUrl = inject('databaseUrl');

describe('a disk that runs low (a server of its own)', () => {
  let server: RunningServer;
  let tenant: TestTenant;
  beforeAll(async () => {
    // A margin larger than any disk here: the server finds the disk low at once.
    server = await startServer({ env: { DISK_FREE_MARGIN_MB: '1000000' } });
    tenant = await createTenant({ server });
  });
  afterAll(() => server?.stop());

  it('refuses every write with 507 and Retry-After, serves reads, and says so once', async () => {
    for (const [url, json] of [
      [`${tenant.apiUrl}/passes`, { type: 'single' }],
      [`${tenant.apiUrl}/scan`, { code: 'ABCDEFGHJK23' }],
      [`${tenant.apiUrl}/clients`, { name: 'Ana' }],
    ] as const) {
      const refused = await call(url, { key: tenant.apiKey, json });
      expect(refused.status, url).toBe(507);
      expect(refused.headers.get('retry-after')).toBe('30');
      expect(refused.body.error).toMatch(/disk is nearly full: nothing was written/);
    }
    const read = await call(`${tenant.apiUrl}/passes`, { key: tenant.apiKey });
    expect(read.status).toBe(200);
    expect(read.body).toEqual([]);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(503);
    expect(health.headers.get('retry-after')).toBe('30');
    expect((await tenant.counts()).passes).toBe(0);
    expect(server.logs.filter((line) => line.includes('disk nearly full'))).toHaveLength(1);
  });
});

describe.skipIf(!canMount)('a disk that fills up under the embedded database (root)', () => {
  let disk: ReturnType<typeof mountTmpfs>;
  beforeAll(() => {
    disk = mountTmpfs('160m');
  });
  afterAll(() => disk?.unmount());

  /** Fills the disk until `leave` bytes are free. */
  function fillDisk(dir: string, leave: number) {
    const stats = statfsSync(dir);
    writeFileSync(path.join(dir, 'filler'), Buffer.alloc(stats.bavail * stats.bsize - leave));
  }

  it('never answers 500 on a full disk: 507 and served again once space is freed, or one line and exit 1', async () => {
    if (!disk) throw new Error('tmpfs mount failed');
    const dataDir = path.join(disk.dir, 'server');
    // No margin: the disk really fills, as it would where another process fills it.
    const server = await startServer({ dataDir, env: { DISK_FREE_MARGIN_MB: '0' } });
    try {
      const tenant = await createTenant({ server, rateLimit: 1_000_000 });
      fillDisk(disk.dir, 8 * 1024 * 1024);
      const note = 'x'.repeat(4000);
      const statuses: number[] = [];
      const failures: string[] = [];
      let exited = false;
      const exit = new Promise<number | null>((resolve) =>
        server.process.once('exit', (code) => {
          exited = true;
          resolve(code);
        }),
      );
      const worker = async () => {
        while (!exited && !statuses.includes(507) && statuses.length < 8000) {
          const answer = await call(`${tenant.apiUrl}/passes`, {
            key: tenant.apiKey,
            json: { type: 'single', note },
          }).catch((error: Error) => {
            failures.push(String(error.cause ?? error));
            return undefined;
          });
          if (!answer) return;
          statuses.push(answer.status);
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
      const created = statuses.filter((status) => status === 201).length;
      expect(statuses.filter((status) => status !== 201 && status !== 507)).toEqual([]);
      // Connections reset: the server is ending itself (its exit may be heard a moment later).
      if (exited || failures.length > 0) {
        // The full disk took a WAL file: the server ended itself, one line, exit 1.
        expect(await exit).toBe(1);
        expect(server.logs.filter((line) => line.startsWith('Passgate stopped:'))).toHaveLength(1);
        return;
      }
      expect(statuses).toContain(507);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(503);
      rmSync(path.join(disk.dir, 'filler'));
      await expect
        .poll(async () => (await fetch(`${server.url}/healthz`)).status, { timeout: 10_000 })
        .toBe(200);
      expect((await tenant.newPass()).code).toEqual(expect.any(String));
      const listed = await call(`${tenant.apiUrl}/passes?limit=1`, { key: tenant.apiKey });
      expect(Number(listed.headers.get('x-total-count'))).toBe(created + 1);
      expect(server.logs.filter((line) => line.includes('disk nearly full'))).toHaveLength(1);
    } finally {
      await server.stop();
      rmSync(path.join(disk.dir, 'filler'), { force: true });
    }
  }, 120_000);

  it('ends the process with one line and exit 1 when the embedded database cannot write its WAL', () => {
    if (!disk) throw new Error('tmpfs mount failed');
    // The embedded database alone, forced to a new WAL file on a nearly full disk: PostgreSQL
    // cannot go on from that, and PGlite would spin on the next statement.
    const dataDir = path.join(disk.dir, 'wal');
    const script = `
      import { statfsSync, writeFileSync } from 'node:fs';
      import { sql } from 'kysely';
      import { createDatabase } from './server/src/db/create.ts';
      const database = await createDatabase({ dataDir: ${JSON.stringify(dataDir)} });
      const stats = statfsSync(${JSON.stringify(disk.dir)});
      writeFileSync(${JSON.stringify(path.join(disk.dir, 'filler'))},
        Buffer.alloc(stats.bavail * stats.bsize - 20 * 1024 * 1024));
      for (let i = 0; i < 100; i++) {
        await sql\`CREATE TABLE IF NOT EXISTS t (n int)\`.execute(database.db);
        await sql\`INSERT INTO t VALUES (\${i})\`.execute(database.db);
        await sql\`SELECT pg_switch_wal()\`.execute(database.db);
      }
      console.log('still running');
    `;
    try {
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        {
          cwd: REPO_ROOT,
          encoding: 'utf8',
          timeout: 60_000,
          killSignal: 'SIGKILL',
        },
      );
      expect(run.status).toBe(1);
      expect(run.stdout).not.toContain('still running');
      expect(run.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^Passgate stopped: the embedded database cannot go on \(.*pg_wal/),
      ]);
    } finally {
      rmSync(path.join(disk.dir, 'filler'), { force: true });
    }
  });
});

describe('stopping', () => {
  it('answers a request on a kept-alive connection 503 with Connection: close, and exits 0', async () => {
    const server = await startServer();
    const tenant = await createTenant({ server });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = (pathname: string) =>
      new Promise<http.IncomingMessage>((resolve, reject) => {
        http
          .get(
            `${server.url}${pathname}`,
            { agent, headers: { authorization: `Bearer ${tenant.apiKey}` } },
            resolve,
          )
          .on('error', reject);
      });
    try {
      const stream = await get('/api/v1/scans/stream');
      expect(stream.statusCode).toBe(200);
      const ended = new Promise((resolve) => stream.on('end', resolve));
      stream.resume();
      void server.stop();
      await ended;
      // What a browser's EventSource does at once: open the stream again, on the same connection.
      const again = await get('/api/v1/scans/stream').then(
        (answer) => ({ status: answer.statusCode, connection: answer.headers.connection }),
        () => ({ status: 'refused', connection: undefined }),
      );
      if (again.status !== 'refused') {
        expect(again).toEqual({ status: 503, connection: 'close' });
      }
      expect(await server.stop()).toBe(0);
    } finally {
      agent.destroy();
    }
  });
});

describe.skipIf(!databaseUrl)('a CSV export when the database fails (PostgreSQL)', () => {
  let proxy: TcpProxy;
  let server: RunningServer;
  let tenant: Pick<TestTenant, 'apiUrl' | 'apiKey'>;
  beforeAll(async () => {
    // The passes are imported through the shared server, whose query timeout is the default:
    // the short one below is for the stalls, and a busy machine may take longer to import.
    const seeded = await createTenant({ rateLimit: 10_000 });
    const rows = Array.from({ length: 10_000 }, (_, i) => `single,Guest ${i}`);
    const imported = await call(`${seeded.apiUrl}/passes/import`, {
      key: seeded.apiKey,
      body: `type,name\n${rows.join('\n')}\n`,
      headers: { 'content-type': 'text/csv' },
    });
    expect(imported.status).toBe(200);
    proxy = await startTcpProxy(databaseUrl as string);
    server = await startServer({
      databaseUrl: proxy.url,
      env: { DATABASE_QUERY_TIMEOUT_MS: '1000' },
    });
    tenant = { apiUrl: `${server.url}/api/v1`, apiKey: seeded.apiKey };
  });
  afterAll(async () => {
    proxy?.resume();
    await server?.stop();
    await proxy?.close();
  });

  it('answers 503 before sending anything when the first page cannot be read', async () => {
    proxy.stall();
    try {
      const answer = await call(`${tenant.apiUrl}/passes/export`, { key: tenant.apiKey });
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('5');
      expect(answer.body.error).toMatch(/database is out of reach/);
    } finally {
      proxy.resume();
    }
  });

  it('cuts the download short, never ending it cleanly, when a later page cannot be read', async () => {
    const response = await fetch(`${tenant.apiUrl}/passes/export`, {
      headers: { authorization: `Bearer ${tenant.apiKey}` },
    });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    proxy.stall();
    let received = (first.value as Uint8Array).byteLength;
    const outcome = await (async () => {
      for (;;) {
        const next = await reader.read();
        if (next.done) return 'ended cleanly';
        received += next.value.byteLength;
      }
    })().catch(() => 'broken off');
    proxy.resume();
    expect(outcome).toBe('broken off');
    // Not the whole file: 10,000 passes take well over a megabyte.
    expect(received).toBeLessThan(1_500_000);
  });
});
