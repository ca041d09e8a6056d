import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, inject, it, vi } from 'vitest';
import { AdminCommandError, admin } from '../support/admin';
import { migratedDataDir } from '../support/data-dir';
import { createFreshDatabase } from '../support/database';
import { failedStart } from '../support/failed-start';
import { closedPort } from '../support/ports';
import { newDataDir, REPO_ROOT, SERVER_ARGS, startServer } from '../support/server';
import { startTcpProxy } from '../support/tcp-proxy';
import { createTenant, type HttpAnswer, http } from '../support/tenant';

const databaseUrl = inject('databaseUrl');

/**
 * For a server started by a command of its own rather than `startServer`: the environment that
 * puts it on `dataDir` and `port` (embedded database, memory rate limits), and a look at its health.
 */
async function ownServerAt(dataDir: string) {
  const port = await closedPort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: '',
    REDIS_URL: '',
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(port),
  };
  const health = () =>
    fetch(`http://127.0.0.1:${port}/healthz`).then(
      (res) => res.status,
      () => 'nothing listens',
    );
  return { env, health };
}

/** Whether a process of that pid is still there (signal 0 only asks). */
function isRunning(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Ends whatever is left of a child started `detached` (a process group of its own). */
function killGroup(child: ChildProcess) {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The whole group has exited already.
  }
}

describe('server lifecycle on the embedded database', () => {
  it('stops on SIGTERM when whatever read its log has gone (a pipe closed under it)', async () => {
    const server = await startServer({ dataDir: migratedDataDir() });
    try {
      // The log's reader goes away, as a crashed log shipper or a closed terminal does: every
      // write from now on meets a broken pipe.
      server.process.stdout!.destroy();
      server.process.stderr!.destroy();
      const exited = new Promise<[number | null, string | null]>((resolve) =>
        server.process.once('exit', (code, signal) => resolve([code, signal])),
      );
      server.process.kill('SIGTERM');
      expect(await exited).toEqual([0, null]);
    } finally {
      await server.kill();
    }
  });

  it('finishes a request in flight on SIGTERM, exits 0, and keeps the data for the next start', async () => {
    const dataDir = migratedDataDir();
    const server = await startServer({ dataDir });
    const tenant = await createTenant({ server });
    const created = await tenant.client.passes.create({ type: 'single', name: 'Persistent' });
    if (!created.ok) throw new Error(created.error);

    // A scan whose body is still arriving when SIGTERM comes: it must still be answered.
    const body = JSON.stringify({ code: created.data.code });
    const { port } = new URL(server.url);
    let answer = '';
    const request = httpRequest({
      host: '127.0.0.1',
      port: Number(port),
      path: '/api/v1/scan',
      method: 'POST',
      headers: {
        authorization: `Bearer ${tenant.apiKey}`,
        'content-type': 'application/json',
        'content-length': body.length,
      },
    });
    const answered = new Promise<number>((resolve, reject) => {
      request.on('response', (res) => {
        res.on('data', (chunk: Buffer) => (answer += chunk));
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      request.on('error', reject);
    });
    request.write(body.slice(0, 5));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exited = server.stop();
    // The rest of the body comes once the server has begun to stop.
    await expect.poll(() => server.logs.join('')).toContain('shutting down');
    request.end(body.slice(5));
    expect(await answered).toBe(200);
    expect(JSON.parse(answer).result).toBe('success');
    expect(await exited).toBe(0);
    expect(server.logs.join('')).toContain('"msg":"stopped"');
    // A clean stop is not a lost connection: no warning that keys are read from the database.
    expect(server.logs.join('')).not.toContain('not listening');
    expect(existsSync(path.join(dataDir, 'admin.sock'))).toBe(false);

    // With no server running, the CLI opens the database itself.
    const listed = await admin<{ id: string }[]>(server.env, 'tenant', 'list');
    expect(listed.map((t) => t.id)).toContain(tenant.id);

    const restarted = await startServer({ dataDir });
    try {
      const res = await http(`${restarted.url}/api/v1/passes/${created.data.id}`, {
        key: tenant.apiKey,
      });
      expect(res.body).toMatchObject({ name: 'Persistent', status: 'used', usagesCount: 1 });
    } finally {
      await restarted.stop();
    }
  });

  it.each([
    ['SIGTERM', 'as a supervisor or `kill` stops it'],
    ['SIGKILL', "which leaves pnpm's shell waiting on the server"],
  ] as const)(
    '`pnpm start` stopped by %s (%s) stops its server too: no orphan keeps the port and DATA_DIR',
    async (signal, _why) => {
      const dataDir = migratedDataDir();
      const { env, health } = await ownServerAt(dataDir);
      // In a process group of its own, so that whatever outlives pnpm is still cleaned up.
      const pnpm = spawn('pnpm', ['start'], {
        cwd: REPO_ROOT,
        detached: true,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      pnpm.stdout.on('data', (chunk) => (output += chunk));
      pnpm.stderr.on('data', (chunk) => (output += chunk));
      try {
        await expect.poll(health, { timeout: 60_000, interval: 200 }).toBe(200);
        pnpm.kill(signal);
        // The server stops as its own SIGTERM stops it (the server's pipe outlives pnpm)…
        await expect.poll(() => output, { timeout: 15_000 }).toMatch(/"msg":"stopped"/);
        // …lets go of the port…
        await expect.poll(health, { timeout: 15_000 }).toBe('nothing listens');
        // …and of DATA_DIR: the next start may have it.
        const next = await startServer({ dataDir });
        await next.stop();
      } finally {
        killGroup(pnpm);
      }
    },
    120_000,
  );

  it("`node server/start.mjs` keeps running when the script that started it in the background exits (only a package manager's script is watched)", async () => {
    const { env, health } = await ownServerAt(migratedDataDir());
    // This test itself runs under `pnpm test`, which names its script: not so a deploy script's child.
    delete env.npm_lifecycle_event;
    // As a deploy script might: start the server in the background, say its pid, give it a
    // moment (in which it notes its parent) and exit, leaving the server an orphan.
    const launcher = spawnSync(
      'sh',
      ['-c', 'node server/start.mjs > /dev/null 2>&1 < /dev/null & echo $!; sleep 2'],
      { cwd: REPO_ROOT, env, encoding: 'utf8' },
    );
    const pid = Number(launcher.stdout.trim());
    expect(pid).toBeGreaterThan(0);
    try {
      await expect.poll(health, { timeout: 60_000, interval: 200 }).toBe(200);
      // Four of the watch's half-second looks at its parent, had it been watching.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(await health()).toBe(200);
    } finally {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // It has exited already (and the assertions above say why).
      }
    }
  }, 90_000);

  it('`pnpm start` stopped while it is still building does not start the server afterwards', async () => {
    // The real start.mjs in a project of its own, whose build takes three seconds and whose
    // "server" only leaves a mark: the repository's own builds are too quick to be caught in.
    const project = newDataDir();
    mkdirSync(path.join(project, 'server/dist'), { recursive: true });
    mkdirSync(path.join(project, 'scanner'));
    mkdirSync(path.join(project, 'dashboard'));
    for (const file of ['server/start.mjs', 'server/build-all-if-stale.mjs']) {
      cpSync(path.join(REPO_ROOT, file), path.join(project, file));
    }
    writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify({
        private: true,
        type: 'module',
        scripts: { start: 'node server/start.mjs' },
      }),
    );
    writeFileSync(path.join(project, 'scanner/build-if-stale.mjs'), '');
    writeFileSync(path.join(project, 'dashboard/build-if-stale.mjs'), '');
    // The build names the process that runs it: start.mjs, which is what must not go on.
    writeFileSync(
      path.join(project, 'server/build-if-stale.mjs'),
      `import { writeFileSync } from 'node:fs';
       writeFileSync('building', String(process.ppid));
       await new Promise((resolve) => setTimeout(resolve, 3000));`,
    );
    writeFileSync(
      path.join(project, 'server/dist/main.js'),
      `import { writeFileSync } from 'node:fs';
       writeFileSync('started', '');
       setInterval(() => {}, 1000);`,
    );
    const pnpm = spawn('pnpm', ['start'], { cwd: project, detached: true, stdio: 'ignore' });
    const building = path.join(project, 'building');
    try {
      await expect.poll(() => existsSync(building), { timeout: 30_000 }).toBe(true);
      pnpm.kill('SIGTERM');
      const startMjs = Number(readFileSync(building, 'utf8'));
      // It finishes the build it is in, then exits instead of running the server.
      await expect.poll(() => isRunning(startMjs), { timeout: 15_000, interval: 100 }).toBe(false);
      expect(existsSync(path.join(project, 'started'))).toBe(false);
    } finally {
      killGroup(pnpm);
    }
  }, 60_000);

  it('refuses a second process on a DATA_DIR that a server holds, and takes one over after a crash', async () => {
    const dataDir = migratedDataDir();
    const first = await startServer({ dataDir });
    const startSecond = () =>
      spawnSync(process.execPath, SERVER_ARGS, {
        cwd: REPO_ROOT,
        env: { ...process.env, DATA_DIR: dataDir, PORT: '0', DATABASE_URL: '' },
        encoding: 'utf8',
        timeout: 30_000,
      });
    try {
      const second = startSecond();
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(/DATA_DIR .* is in use by another running Passgate process/);
      // The first still holds the directory and its admin socket: the CLI reaches it.
      const tenant = await createTenant({ server: first });
      expect((await http(`${tenant.apiUrl}/me`, { key: tenant.apiKey })).status).toBe(200);

      // A crash leaves the socket file behind, with nobody answering it: the next start takes it.
      await first.kill();
      expect(existsSync(path.join(dataDir, 'admin.sock'))).toBe(true);
      const restarted = await startServer({ dataDir });
      try {
        expect(
          (
            await http(`${tenant.apiUrl.replace(first.url, restarted.url)}/me`, {
              key: tenant.apiKey,
            })
          ).status,
        ).toBe(200);
        // The restarted server holds the directory as the first did.
        expect(startSecond().status).toBe(1);
      } finally {
        await restarted.stop();
      }
    } finally {
      await first.stop();
    }
  }, 60_000);
});

describe('a start that cannot go on: one message the operator can act on, exit 1, no stack', () => {
  it('bad configuration: every bad variable named', () => {
    const stderr = failedStart({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://nope',
      PUBLIC_URL: 'not a url',
      REDIS_URL: 'localhost:6379',
      SCAN_CONCURRENCY: '0',
    });
    expect(stderr).toContain('Invalid configuration');
    expect(stderr).toMatch(/PORT/);
    expect(stderr).toMatch(/DATABASE_URL: must start with postgres/);
    expect(stderr).toMatch(/PUBLIC_URL/);
    expect(stderr).toMatch(/REDIS_URL: must start with redis:\/\/ or rediss:\/\//);
    expect(stderr).toMatch(/SCAN_CONCURRENCY: SCAN_CONCURRENCY must be at least 1/);
  });

  it('a port another process holds, found before the database is touched', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as net.AddressInfo;
    const dataDir = newDataDir();
    try {
      const stderr = failedStart({ DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: String(port) });
      expect(stderr).toContain(
        `PORT ${port} is in use: another process listens on 127.0.0.1:${port}; stop it or set PORT`,
      );
      expect(readdirSync(dataDir)).toEqual([]); // no database, no admin socket
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('a DATA_DIR that cannot be made, for the server and for the CLI', async () => {
    const file = path.join(newDataDir(), 'not-a-directory');
    writeFileSync(file, '');
    expect(failedStart({ DATA_DIR: file })).toContain(
      `DATA_DIR ${file} cannot be used: EEXIST: file already exists`,
    );
    const cli = await admin({ DATA_DIR: file }, 'tenant', 'list').catch((error) => error);
    expect(cli).toBeInstanceOf(AdminCommandError);
    expect(JSON.parse((cli as AdminCommandError).stderr)).toEqual({
      error: expect.stringContaining(`DATA_DIR ${file} cannot be used: EEXIST`),
    });
  });

  it('a DATA_DIR too long a path for its admin socket (which would be cut short)', () => {
    const deep = path.join(newDataDir(), 'd'.repeat(100));
    expect(failedStart({ DATA_DIR: deep })).toContain(
      `DATA_DIR ${deep} is too long a path: its admin socket needs at most 92 bytes for the directory`,
    );
    expect(existsSync(deep)).toBe(false);
  });

  it('a PostgreSQL out of reach, named without its password', async () => {
    const port = await closedPort();
    const stderr = failedStart({
      DATABASE_URL: `postgres://passgate:s3cret@127.0.0.1:${port}/app`,
    });
    expect(stderr).toContain(
      `DATABASE_URL: could not connect to PostgreSQL at 127.0.0.1:${port}/app (connect ECONNREFUSED`,
    );
    expect(stderr).not.toContain('s3cret');
  });

  it.skipIf(!databaseUrl)('a database that does not exist on the PostgreSQL', () => {
    const missing = new URL(databaseUrl!);
    missing.pathname = '/passgate_no_such_database';
    expect(failedStart({ DATABASE_URL: missing.toString() })).toContain(
      `(database "passgate_no_such_database" does not exist)`,
    );
  });

  it('a Redis that REDIS_URL names but that does not answer, named without its password', async () => {
    const port = await closedPort();
    const stderr = failedStart({ REDIS_URL: `redis://:s3cret@127.0.0.1:${port}` });
    expect(stderr).toContain(`REDIS_URL: could not reach Redis at 127.0.0.1:${port}`);
    expect(stderr).toContain('ECONNREFUSED');
    expect(stderr).not.toContain('s3cret');
  });
});

describe('PUBLIC_URL', () => {
  it('is the base of every publicUrl, Link header, pairing link and the OpenAPI server', async () => {
    const server = await startServer({
      dataDir: migratedDataDir(),
      env: { PUBLIC_URL: 'https://passes.example.com/' },
    });
    try {
      const tenant = await createTenant({ server });
      const pass = await tenant.client.passes.create({ type: 'single' });
      expect(pass.ok && pass.data.publicUrl).toMatch(
        /^https:\/\/passes\.example\.com\/p\/[A-Za-z0-9]{12}\?token=/,
      );
      const list = await http(`${tenant.apiUrl}/passes`, { key: tenant.apiKey });
      expect(list.headers.get('link')).toMatch(
        /^<https:\/\/passes\.example\.com\/api\/v1\/passes\?page=1&limit=25>; rel="first"/,
      );
      const doc = await http(`${server.url}/api/v1/openapi.json`);
      expect(doc.body.servers).toEqual([{ url: 'https://passes.example.com/api/v1' }]);
      const key = await tenant.createKey({ scope: 'scan' });
      expect(key.pairingUrl).toMatch(/^https:\/\/passes\.example\.com\/scanner\/#key=2pk_/);
      expect(server.logs.join('\n')).not.toContain('PUBLIC_URL is not https://');
    } finally {
      await server.stop();
    }
  });

  it('warns at start when phones would reach the scanner at plain http://, where they give it no camera', async () => {
    const server = await startServer({
      dataDir: migratedDataDir(),
      env: { PUBLIC_URL: 'http://192.168.1.5:3000' },
    });
    try {
      await expect
        .poll(() => server.logs.join('\n'))
        .toMatch(
          /"level":40,.*"publicUrl":"http:\/\/192\.168\.1\.5:3000","msg":"PUBLIC_URL is not https:\/\/: phones give the scanner no camera there/,
        );
    } finally {
      await server.stop();
    }
  });
});

describe.skipIf(!databaseUrl)('while the server starts', () => {
  it('several servers starting at once on a new database all start, and share it', async () => {
    const database = await createFreshDatabase(databaseUrl!, 'passgate_together');
    const started = await Promise.allSettled(
      Array.from({ length: 4 }, () => startServer({ databaseUrl: database.url })),
    );
    try {
      // Each took its part of the migrations' work under their lock; none failed on a table
      // another had just made (rate-limiter-flexible's own CREATE TABLE once did).
      expect(started.map((result) => result.status)).toEqual(Array(4).fill('fulfilled'));
      const servers = started.flatMap((result) =>
        result.status === 'fulfilled' ? [result.value] : [],
      );
      const tenant = await createTenant({ server: servers[0]! });
      for (const server of servers) {
        expect((await http(`${server.url}/api/v1/me`, { key: tenant.apiKey })).status).toBe(200);
      }
    } finally {
      await Promise.all(
        started.map((result) => (result.status === 'fulfilled' ? result.value.stop() : undefined)),
      );
      await database.drop();
    }
  });

  it('answers 503 with Retry-After: JSON for the API and health checks, HTML for a pass page', async () => {
    // A fresh database whose migrations wait on Kysely's migration lock, held here.
    const database = await createFreshDatabase(databaseUrl!, 'passgate_starting');
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock(3853314791062309107)');
    const port = await closedPort();
    const child = spawn(process.execPath, SERVER_ARGS, {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        REDIS_URL: '',
        HOST: '127.0.0.1',
        PORT: String(port),
      },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const base = `http://127.0.0.1:${port}`;
    try {
      // Bound, but held in its migrations.
      const health = await vi.waitUntil(() => fetch(`${base}/healthz`).catch(() => undefined), {
        timeout: 30_000,
        interval: 100,
      });
      expect(health.status).toBe(503);
      expect(health.headers.get('retry-after')).toBe('5');
      expect(await health.json()).toEqual({
        error: 'Server is starting; try again in a few seconds',
      });
      const scan = await fetch(`${base}/api/v1/scan`, { method: 'POST', body: '{}' });
      expect(scan.status).toBe(503);
      expect(scan.headers.get('content-type')).toMatch(/^application\/json/);
      const page = await fetch(`${base}/p/AAAAAAAAAAAA?token=x`);
      expect(page.status).toBe(503);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('retry-after')).toBe('5');
      expect(await page.text()).toContain('Reload this page in a few seconds');

      await holder.query('SELECT pg_advisory_unlock(3853314791062309107)');
      await expect
        .poll(async () => (await fetch(`${base}/healthz`)).status, { timeout: 30_000 })
        .toBe(200);
    } finally {
      child.kill('SIGTERM');
      await exited;
      await holder.end();
      await database.drop();
    }
  });
});

/**
 * A server that reaches the run's PostgreSQL through a TCP proxy the test can cut or stall, a
 * tenant's multi pass there, and `scan()` of it, sent by `send` and admitted once already.
 */
async function passBehindProxy(send: typeof http = http, env: Record<string, string> = {}) {
  const proxy = await startTcpProxy(databaseUrl!);
  const server = await startServer({ databaseUrl: proxy.url, env });
  const stop = async () => {
    await server.stop();
    await proxy.close();
  };
  try {
    const tenant = await createTenant({ server });
    const pass = await tenant.client.passes.create({ type: 'multi' });
    if (!pass.ok) throw new Error(pass.error);
    const scan = () =>
      send(`${tenant.apiUrl}/scan`, { key: tenant.apiKey, json: { code: pass.data.code } });
    expect((await scan()).status).toBe(200);
    return { proxy, server, tenant, pass: pass.data, scan, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** What the API answers while the database is out of reach. */
function expectOutOfReach(res: HttpAnswer) {
  expect(res.status).toBe(503);
  expect(res.body).toEqual({
    error: 'The database is out of reach for the moment; try again in a few seconds',
  });
  expect(res.headers.get('retry-after')).toBe('5');
}

describe.skipIf(!databaseUrl)('when the database goes away', () => {
  it('/healthz answers 503, the API a 500 without details, the pass page an HTML 500', async () => {
    const database = await createFreshDatabase(databaseUrl!, 'passgate_gone');
    const server = await startServer({ databaseUrl: database.url });
    try {
      const tenant = await createTenant({ server });
      const pass = await tenant.client.passes.create({ type: 'single' });
      if (!pass.ok) throw new Error(pass.error);
      expect((await http(`${server.url}/healthz`)).status).toBe(200);
      await database.drop();
      const health = await http(`${server.url}/healthz`);
      expect(health.status).toBe(503);
      expect(health.body).toEqual({ error: 'Database unreachable' });
      expect(health.headers.get('retry-after')).toBe('5');
      const me = await http(`${tenant.apiUrl}/me`, { key: tenant.apiKey });
      expect(me.status).toBe(500);
      expect(me.body).toEqual({ error: 'Internal server error' });
      // The holder gets a page, not the API's JSON.
      const page = await fetch(pass.data.publicUrl);
      expect(page.status).toBe(500);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('Something went wrong');
      // The log line travels through a pipe and may arrive just after the answer.
      await expect.poll(() => server.logs.join('')).toContain('unhandled error');
    } finally {
      await server.stop();
      await database.drop();
    }
  });

  it('while the database is out of reach: 503 with Retry-After, then served again', async () => {
    /** Long enough for a loaded machine to bring the scans to the lock; not a timing. */
    const UNTIL_WAITING = { timeout: 15_000 };
    // The scans must wait at the lock until the cut, however slow the machine: a query timeout
    // longer than the test.
    const { proxy, server, tenant, pass, scan, stop } = await passBehindProxy(http, {
      DATABASE_QUERY_TIMEOUT_MS: '120000',
    });
    try {
      // Open connections drop mid-way and new ones are refused, as when PostgreSQL restarts.
      // Scans are made to wait on the pass's row lock first, so that the cut finds connections
      // checked out of the pool, whose errors have no listener of their own: the server must live.
      const root = new pg.Client({ connectionString: databaseUrl });
      await root.connect();
      try {
        await root.query('BEGIN');
        await root.query('SELECT 1 FROM passes WHERE id = $1 FOR UPDATE', [pass.id]);
        const waiting = Promise.all([scan(), scan(), scan()]);
        await expect
          .poll(async () => {
            const { rows } = await root.query(
              `SELECT count(*)::int AS n FROM pg_stat_activity
                WHERE wait_event_type = 'Lock' AND application_name = $1`,
              [`passgate ${server.process.pid}`],
            );
            return rows[0].n as number;
          }, UNTIL_WAITING)
          .toBeGreaterThan(0);
        await proxy.cut();
        for (const res of await waiting) expect(res.status).toBe(503);
        expect(server.process.exitCode).toBe(null);
      } finally {
        await root.query('ROLLBACK');
        await root.end();
      }
      for (const res of [
        await scan(),
        await scan(),
        await http(`${tenant.apiUrl}/passes`, { key: tenant.apiKey }),
        await http(`${tenant.apiUrl}/passes`, { key: tenant.apiKey, json: { type: 'single' } }),
      ])
        expectOutOfReach(res);
      expect((await http(`${server.url}/healthz`)).status).toBe(503);
      const page = await fetch(pass.publicUrl);
      expect(page.status).toBe(503);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toMatch(/try again/i);

      await proxy.restore();
      await expect.poll(async () => (await scan()).status, { timeout: 10_000 }).toBe(200);
      expect((await http(`${server.url}/healthz`)).status).toBe(200);
      expect(server.logs.join('')).not.toContain('unhandled error');
    } finally {
      await stop();
    }
  });

  it('a scan that waits past the query timeout on a locked pass is answered 503, and never decided later', async () => {
    const { server, tenant, pass, stop } = await passBehindProxy(http, {
      DATABASE_QUERY_TIMEOUT_MS: '1000',
    });
    const root = new pg.Client({ connectionString: databaseUrl });
    await root.connect();
    const waitingOnLock = async () => {
      const { rows } = await root.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE wait_event_type = 'Lock' AND application_name = $1`,
        [`passgate ${server.process.pid}`],
      );
      return rows[0].n as number;
    };
    try {
      await root.query('BEGIN');
      await root.query('SELECT 1 FROM passes WHERE id = $1 FOR UPDATE', [pass.id]);
      // Sent without an Idempotency-Key: the statement commits by itself if it ever runs.
      const answer = await http(`${tenant.apiUrl}/scan`, {
        key: tenant.apiKey,
        json: { code: pass.code },
      });
      expectOutOfReach(answer);
      // PostgreSQL itself gave the statement up: nothing of it waits for the lock any more, so
      // nothing can be decided once the lock is free.
      await expect.poll(waitingOnLock, { timeout: 10_000 }).toBe(0);
      await root.query('ROLLBACK');
      const after = await tenant.client.passes.get(pass.id);
      if (!after.ok) throw new Error(after.error);
      expect(after.data.usagesCount).toBe(1);
    } finally {
      await root.end();
      await stop();
    }
  });

  it('while the database stalls (connections open, nothing comes back): 503, never a hang, then served again', async () => {
    /**
     * How long the test lets a request take before calling it hung. It stands for "never hangs":
     * the server's own bounds are a 1.5 s health check and a 5 s query timeout.
     */
    const bounded: typeof http = (url, init = {}) =>
      http(url, { ...init, signal: AbortSignal.timeout(20_000) });
    const { proxy, server, tenant, pass, scan, stop } = await passBehindProxy(bounded);
    try {
      proxy.stall();
      const health = await bounded(`${server.url}/healthz`);
      expect(health.status).toBe(503);
      expect(health.body).toEqual({ error: 'Database unreachable' });
      for (const res of await Promise.all([scan(), scan(), scan()])) expectOutOfReach(res);
      expectOutOfReach(await bounded(`${tenant.apiUrl}/passes`, { key: tenant.apiKey }));
      expect(server.process.exitCode).toBe(null);

      proxy.resume();
      await expect.poll(async () => (await scan()).status, { timeout: 30_000 }).toBe(200);
      expect((await bounded(`${server.url}/healthz`)).status).toBe(200);
      const after = await tenant.client.passes.get(pass.id);
      if (!after.ok) throw new Error(after.error);
      // The scans answered 503 were never decided: one admit before the stall, one after.
      expect(after.data.usagesCount).toBe(2);
      expect(server.logs.join('')).not.toContain('unhandled error');
    } finally {
      await stop();
    }
  });
});

describe('the server bundle (server/dist)', () => {
  it('is built again when it is older than a source, and left alone when it is not', () => {
    const main = path.join(REPO_ROOT, 'server/dist/main.js');
    const build = () => {
      const run = spawnSync(process.execPath, ['server/build-if-stale.mjs'], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      });
      expect(run.status, run.stderr).toBe(0);
      return statSync(main).mtimeMs;
    };
    const built = build(); // global setup built it: nothing to do
    const bundle = readFileSync(main, 'utf8');
    expect(build()).toBe(built);
    // A bundle older than its sources, as after an edit or a pull, is what `pnpm start` must not run.
    const longAgo = new Date('2000-01-01T00:00:00Z');
    utimesSync(main, longAgo, longAgo);
    // What another build left: a chunk of other sources, and a write that a dead build began.
    const leftovers = ['chunk-EARLIER1.js', 'db/chunk-EARLIER2.js.map', 'main.js.4242.partial'];
    for (const name of leftovers) {
      const file = path.join(REPO_ROOT, 'server/dist', name);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, '// an earlier build\n');
      utimesSync(file, longAgo, longAgo);
    }
    // Another build's write in progress is not touched.
    const inFlight = path.join(REPO_ROOT, 'server/dist', `main.js.${process.pid}.partial`);
    writeFileSync(inFlight, '');
    expect(build()).toBeGreaterThan(longAgo.getTime());
    // The same sources make the same bundle: processes starting meanwhile ran what they should.
    expect(readFileSync(main, 'utf8')).toBe(bundle);
    for (const name of leftovers) {
      expect(existsSync(path.join(REPO_ROOT, 'server/dist', name)), name).toBe(false);
    }
    expect(existsSync(path.join(REPO_ROOT, 'server/dist/db')), 'the emptied folder').toBe(false);
    expect(existsSync(inFlight)).toBe(true);
    rmSync(inFlight);
    // Every file the bundle imports, at once or later (the CLI's database chunk), is still there.
    const dist = path.join(REPO_ROOT, 'server/dist');
    const scripts = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((name) =>
      name.endsWith('.js'),
    );
    const imported = scripts.flatMap((name) =>
      [
        ...readFileSync(path.join(dist, name), 'utf8').matchAll(/(?:from|import\()\s*"(\.[^"]+)"/g),
      ].map((match) => path.join(dist, path.dirname(name), match[1] as string)),
    );
    expect(imported.length).toBeGreaterThan(1);
    expect(imported.filter((file) => !existsSync(file))).toEqual([]);
  });
});

describe('the scanner build (scanner/dist)', () => {
  it('carries no schema library: the scanner takes only the zod-free parts of @passgate/shared', () => {
    const assets = path.join(REPO_ROOT, 'scanner/dist/assets');
    const scripts = readdirSync(assets).filter((name) => name.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const name of scripts) {
      // zod's classes are named $ZodType, ZodError… in every build, minified or not.
      expect(readFileSync(path.join(assets, name), 'utf8'), name).not.toMatch(
        /\$?Zod(Type|Error)\b/,
      );
    }
  });

  it('is built again when it is older than a source, whole and in one move, and left alone when not', async () => {
    // A copy of the scanner global setup built, so the one the other tests are using stays put.
    const dist = path.join(newDataDir(), 'dist');
    cpSync(path.join(REPO_ROOT, 'scanner/dist'), dist, { recursive: true });
    const index = path.join(dist, 'index.html');
    /** Runs the build, looking for the page every 2 ms meanwhile as a running server would. */
    const build = async () => {
      let looks = 0;
      let missing = 0;
      const look = setInterval(() => {
        looks += 1;
        if (!existsSync(index)) missing += 1;
      }, 2);
      const run = spawn(process.execPath, ['scanner/build-if-stale.mjs', dist], { cwd: REPO_ROOT });
      let stderr = '';
      run.stderr.on('data', (chunk) => (stderr += chunk));
      const status = await new Promise((resolve) => run.on('close', resolve));
      clearInterval(look);
      expect(status, stderr).toBe(0);
      return { builtAt: statSync(index).mtimeMs, looks, missing };
    };
    const copied = statSync(index).mtimeMs;
    expect((await build()).builtAt).toBe(copied);
    const page = readFileSync(index, 'utf8');
    const longAgo = new Date('2000-01-01T00:00:00Z');
    utimesSync(index, longAgo, longAgo);
    const leftover = path.join(dist, 'assets/index-EARLIER.js'); // an asset of other sources
    writeFileSync(leftover, '// an earlier build\n');
    const rebuilt = await build();
    expect(rebuilt.builtAt).toBeGreaterThan(longAgo.getTime());
    // Vite empties its output first: built in place, the page would be gone for most of the
    // build. Moved in, it is gone for two renames, which one look at most can fall between.
    expect(rebuilt.looks).toBeGreaterThan(100);
    expect(rebuilt.missing).toBeLessThanOrEqual(1);
    expect(readFileSync(index, 'utf8')).toBe(page);
    const script = /src="\/scanner\/(assets\/[^"]+\.js)"/.exec(page)?.[1];
    expect(script).toBeDefined();
    expect(existsSync(path.join(dist, script as string))).toBe(true);
    expect(existsSync(leftover)).toBe(false);
    // Nothing is left beside it: the build happened next door and was moved in.
    expect(readdirSync(path.dirname(dist))).toEqual(['dist']);
  });
});

describe('admin CLI', () => {
  /** A DATA_DIR as a first start leaves it, so each command opens it in a second. */
  const env = () => ({ DATA_DIR: migratedDataDir() });

  it('creates tenants and keys in the documented JSON shape, lists and shows them', async () => {
    // An empty DATA_DIR: the CLI can be an operator's first command, before any server start.
    const e = { DATA_DIR: newDataDir() };
    const created = await admin<{ tenant: Record<string, unknown>; apiKey: string }>(
      e,
      'tenant',
      'create',
      '--name',
      'Acme',
      '--plan',
      'basic',
      '--max-passes',
      '100',
      '--webhook-quota',
      '3',
    );
    expect(created.tenant).toMatchObject({
      name: 'Acme',
      plan: 'basic',
      maxPasses: 100,
      webhookQuota: 3,
    });
    expect(created.apiKey).toMatch(/^2pk_[A-Za-z0-9_-]{32}$/);
    const key = await admin<Record<string, unknown>>(
      e,
      'key',
      'create',
      '--tenant',
      String(created.tenant.id),
      '--scope',
      'scan',
      '--rate-limit',
      '240',
    );
    expect(key).toMatchObject({ scope: 'scan', rateLimit: 240, tenantId: created.tenant.id });
    expect(key.apiKey).toMatch(/^2pk_/);
    expect(key.pairingUrl).toBe(`http://localhost:3000/scanner/#key=${key.apiKey}`);
    const shown = await admin<{ keys: { prefix: string }[]; counts: Record<string, number> }>(
      e,
      'tenant',
      'show',
      '--tenant',
      String(created.tenant.id),
    );
    expect(shown.keys.map((k) => k.prefix)).toEqual([
      created.apiKey.slice(0, 12),
      String(key.apiKey).slice(0, 12),
    ]);
    expect(shown.counts).toEqual({ passes: 0, clients: 0, scans: 0, events: 0 });
    // Only hashes are stored: the key itself appears nowhere in what the CLI can read back.
    expect(JSON.stringify(shown)).not.toContain(created.apiKey);
  });

  it('prints a pairing QR on stderr with --qr, keeping stdout pure JSON', () => {
    const e = env();
    const run = (...argv: string[]) =>
      spawnSync('pnpm', ['admin', ...argv], {
        cwd: REPO_ROOT,
        env: { ...process.env, ...e },
        encoding: 'utf8',
        timeout: 30_000,
      });
    const tenant = JSON.parse(run('tenant', 'create', '--name', 'Door').stdout);
    const res = run('key', 'create', '--tenant', tenant.tenant.id, '--scope', 'scan', '--qr');
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout).scope).toBe('scan');
    expect(res.stderr).toContain('/scanner/#key=2pk_');
    expect(res.stderr).toMatch(/[▀▄█]/);
  });

  it('prints its usage as text, exit 0, when asked for help (or run bare)', () => {
    for (const argv of [[], ['help'], ['--help'], ['tenant', 'create', '-h']]) {
      const res = spawnSync('pnpm', ['admin', ...argv], {
        cwd: REPO_ROOT,
        // A configuration that would stop any command: help needs none.
        env: { ...process.env, DATA_DIR: newDataDir(), PORT: 'not-a-port' },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(res.status, argv.join(' ')).toBe(0);
      expect(res.stdout).toMatch(/^Usage:\n {2}pnpm admin tenant create --name NAME/);
      expect(res.stdout).toContain('pnpm admin key revoke --key-id ID\n');
    }
  });

  it('reports operator mistakes as { error } with exit code 1', async () => {
    const e = env();
    for (const argv of [
      ['tenant', 'create'],
      ['tenant', 'create', '--name', 'X', '--plan', 'gold'],
      ['key', 'create', '--tenant', 'ten_missing'],
      ['key', 'revoke', '--key-id', 'key_missing'],
      ['frobnicate'],
      ['tenant', 'create', '--name', 'X', '--bogus'],
    ]) {
      const error = await admin(e, ...argv).catch((err: unknown) => err);
      expect(error, argv.join(' ')).toBeInstanceOf(AdminCommandError);
      expect((error as AdminCommandError).exitCode).toBe(1);
      expect(
        JSON.parse((error as AdminCommandError).stderr.trim().split('\n')[0]!).error,
      ).toBeTypeOf('string');
    }
  });

  it('changes nothing on a mistake: a bad --rate-limit creates no tenant', async () => {
    const e = env();
    const error = await admin(e, 'tenant', 'create', '--name', 'Half', '--rate-limit', '0').catch(
      (err: unknown) => err,
    );
    expect((error as AdminCommandError).stderr).toContain(
      '--rate-limit must be a whole number from 1 to 1000000000',
    );
    // The key is checked before the tenant is inserted: no tenant is left without a key.
    expect(await admin(e, 'tenant', 'list')).toEqual([]);
  });
});

describe.skipIf(!databaseUrl)('database connections', () => {
  it('are kept once opened, not closed 10 s after a burst, and named after their process', async () => {
    const server = await startServer({ databaseUrl: databaseUrl! });
    const root = new pg.Client({ connectionString: databaseUrl });
    await root.connect();
    const countOpen = async () => {
      const { rows } = await root.query(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
        [`passgate ${server.process.pid}`],
      );
      return rows[0].n as number;
    };
    try {
      const tenant = await createTenant({ server });
      await Promise.all(
        Array.from({ length: 12 }, () => http(`${tenant.apiUrl}/passes`, { key: tenant.apiKey })),
      );
      const afterBurst = await countOpen();
      expect(afterBurst).toBeGreaterThan(1);
      // pg's pools would have closed every idle connection by now (`idleTimeoutMillis`: 10 s).
      await new Promise((resolve) => setTimeout(resolve, 11_000));
      expect(await countOpen()).toBe(afterBurst);
    } finally {
      await root.end();
      await server.stop();
    }
  }, 30_000);
});
