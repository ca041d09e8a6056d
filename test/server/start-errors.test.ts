import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { AdminCommandError, admin } from '../support/admin';
import { migratedDataDir } from '../support/data-dir';
import { failedStart } from '../support/failed-start';
import { closedPort } from '../support/ports';
import { newDataDir, startServer } from '../support/server';
import { createTenant, http } from '../support/tenant';
import { canMount, mountTmpfs } from '../support/tmpfs';

const databaseUrl = inject('databaseUrl');

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
      expect(server.logs.join('\n')).not.toMatch(/"msg":"PUBLIC_URL /);
    } finally {
      await server.stop();
    }
  });

  it('says at start when links name this computer, and warns when phones would get plain http://', async () => {
    const local = await startServer({ dataDir: migratedDataDir() });
    try {
      await expect
        .poll(() => local.logs.join('\n'))
        .toMatch(
          /"level":30,.*"publicUrl":"http:\/\/localhost:\d+","msg":"PUBLIC_URL names localhost, which on a phone is the phone itself/,
        );
    } finally {
      await local.stop();
    }
    const server = await startServer({
      dataDir: migratedDataDir(),
      env: { PUBLIC_URL: 'http://192.168.1.5:3000' },
    });
    try {
      await expect
        .poll(() => server.logs.join('\n'))
        .toMatch(
          /"level":40,.*"publicUrl":"http:\/\/192\.168\.1\.5:3000","msg":"PUBLIC_URL is plain http:\/\/, where a phone gives the scanner no camera/,
        );
    } finally {
      await server.stop();
    }
  });
});

describe('a start that cannot go on, in one line', () => {
  it.skipIf(!canMount)('a DATA_DIR on a read-only file system', () => {
    const disk = mountTmpfs('1m', ',ro');
    if (!disk) throw new Error('tmpfs mount failed');
    try {
      const stderr = failedStart({ DATA_DIR: disk.dir });
      expect(stderr.trim().split('\n')).toEqual([
        `DATA_DIR ${disk.dir} cannot be used: it is on a read-only file system`,
      ]);
    } finally {
      disk.unmount();
    }
  });

  it('an embedded database that cannot be opened', () => {
    const dataDir = newDataDir();
    writeFileSync(path.join(dataDir, 'pgdata'), 'not a directory');
    const stderr = failedStart({ DATA_DIR: dataDir });
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(
      /^DATA_DIR: the embedded database in .*pgdata could not be opened \(.+\); it must be a directory that Passgate created/,
    );
    expect(stderr).not.toContain('[object Object]');
  });
});
