import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { lanAddress } from '../../server/lan.mjs';
import { migratedDataDir } from '../support/data-dir';
import { failedStart } from '../support/failed-start';
import { closedPort } from '../support/ports';
import { newDataDir, REPO_ROOT, startServer } from '../support/server';

// HTTPS from the server itself: a certificate given by TLS_CERT_FILE and TLS_KEY_FILE, and
// `pnpm start --lan`, which makes one for this machine's network address.

/** A certificate for 127.0.0.1 and its key, made by openssl for this test. */
function makeCertificate() {
  const dir = newDataDir();
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
    ...['-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=Passgate test'],
    ...['-addext', 'subjectAltName=IP:127.0.0.1'],
  ]);
  return { cert, key };
}

/** GET over HTTPS, trusting `ca` only (or, without it, any certificate), with the one served. */
function httpsGet(url: string, ca?: Buffer) {
  return new Promise<{ status: number; body: string; servedSubjectAltName: string }>(
    (resolve, reject) => {
      const req = request(url, { ca, rejectUnauthorized: ca !== undefined }, (res) => {
        const served = (res.socket as TLSSocket).getPeerX509Certificate();
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body,
            servedSubjectAltName: served?.subjectAltName ?? '',
          }),
        );
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('HTTPS', () => {
  it('serves HTTPS with TLS_CERT_FILE and TLS_KEY_FILE', async () => {
    const { cert, key } = makeCertificate();
    const server = await startServer({
      dataDir: migratedDataDir(),
      env: { TLS_CERT_FILE: cert, TLS_KEY_FILE: key },
    });
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const health = await httpsGet(`${server.url}/healthz`, readFileSync(cert));
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
      // That certificate is what is served: a client trusting another one refuses it.
      const other = readFileSync(makeCertificate().cert);
      await expect(httpsGet(`${server.url}/healthz`, other)).rejects.toThrow(/self-signed/);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('will not start with one file of the two, or one it cannot read', () => {
    const { cert, key } = makeCertificate();
    expect(failedStart({ TLS_CERT_FILE: cert })).toContain(
      'TLS_CERT_FILE: set both TLS_CERT_FILE and TLS_KEY_FILE, or neither',
    );
    expect(failedStart({ TLS_CERT_FILE: '/no/such/cert.pem', TLS_KEY_FILE: key })).toMatch(
      /^TLS_CERT_FILE \/no\/such\/cert\.pem: ENOENT/,
    );
    expect(failedStart({ TLS_CERT_FILE: key, TLS_KEY_FILE: cert })).toMatch(
      /^TLS_CERT_FILE and TLS_KEY_FILE cannot be used together: /,
    );
  });

  it("`start.mjs --lan` serves this machine's network address with a certificate for it, kept between starts", async () => {
    const address = lanAddress();
    const port = await closedPort();
    const dataDir = migratedDataDir();
    /** start.mjs --lan until it listens (or exits): its stderr, and its listening line. */
    const start = async () => {
      const child = spawn(process.execPath, ['server/start.mjs', '--lan'], {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          DATABASE_URL: '',
          REDIS_URL: '',
          PUBLIC_URL: '',
          npm_lifecycle_event: '',
          PORT: String(port),
          DATA_DIR: dataDir,
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
      const listening = await new Promise<Record<string, string> | undefined>((resolve) => {
        const onData = (chunk: Buffer) => {
          output += chunk;
          const line = output.split('\n').find((l) => l.includes('"msg":"listening"'));
          if (line) resolve(JSON.parse(line));
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        void exited.then(() => resolve(undefined));
      });
      return { child, exited, output: () => output, listening };
    };

    const first = await start();
    if (!address) {
      // A machine on no network: said, and nothing started.
      expect(await first.exited).toBe(1);
      expect(first.output()).toContain('--lan: this machine has no network address');
      return;
    }
    try {
      const publicUrl = `https://${address}:${port}`;
      expect(first.listening).toMatchObject({ publicUrl, url: `https://127.0.0.1:${port}` });
      expect(first.output()).toContain(`Serving on the local network at ${publicUrl}`);
      expect(first.output()).toContain('"Advanced", then "Proceed');
      const health = await httpsGet(`https://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      expect(health.servedSubjectAltName).toContain(`IP Address:${address}`);
    } finally {
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
    }
    const made = readFileSync(path.join(dataDir, 'lan-tls/cert.pem'), 'utf8');
    const second = await start();
    try {
      expect(second.listening).toMatchObject({ publicUrl: `https://${address}:${port}` });
      expect(readFileSync(path.join(dataDir, 'lan-tls/cert.pem'), 'utf8')).toBe(made);
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  });
});
