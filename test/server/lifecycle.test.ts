import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, inject, it, vi } from 'vitest';
import { admin } from '../support/admin';
import { migratedDataDir } from '../support/data-dir';
import { createFreshDatabase } from '../support/database';
import { closedPort } from '../support/ports';
import { newDataDir, REPO_ROOT, SERVER_ARGS, startServer } from '../support/server';
import { createTenant, http } from '../support/tenant';

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
    ['SIGKILL', 'which passes nothing on to the server'],
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
        // A clean stop is not reported as a failed command.
        if (signal === 'SIGTERM') {
          await new Promise((resolve) =>
            pnpm.exitCode === null ? pnpm.once('close', resolve) : resolve(null),
          );
          expect(output).not.toContain('ELIFECYCLE');
        }
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
        scripts: { start: 'exec node server/start.mjs' },
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
      // It exits instead of running the server once its build is done, or at once.
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
