import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Apple's side of Wallet, made at test time: a CA standing in for the WWDR intermediate and a
// pass certificate it signed (with openssl), and a fake APNs speaking HTTP/2 over TLS.

export const PASS_TYPE_ID = 'pass.com.example.passgate';

/** Certificates in a directory of their own: `file(name)` is a path in it. */
export function makeWalletCertificates() {
  const dir = mkdtempSync(path.join(tmpdir(), 'passgate-wallet-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  const req = (...args: string[]) => openssl('req', '-newkey', 'rsa:2048', '-nodes', ...args);
  req('-x509', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Test WWDR');
  req('-keyout', 'pass.key', '-out', 'pass.csr', '-subj', '/CN=Pass Type ID');
  openssl(
    ...['x509', '-req', '-in', 'pass.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key'],
    ...['-CAcreateserial', '-out', 'pass.pem', '-days', '2'],
  );
  req('-x509', '-keyout', 'other.key', '-out', 'other.pem', '-days', '2', '-subj', '/CN=Other');
  // The fakes' own certificate (APNs, Google), for localhost; the server trusts it through
  // NODE_EXTRA_CA_CERTS, as it would an operator's proxy.
  req(
    ...[
      '-x509',
      '-keyout',
      'localhost.key',
      '-out',
      'localhost.pem',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
    ],
    ...['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
  );
  return {
    dir,
    file,
    openssl,
    /** The environment that turns Apple Wallet on. */
    env: (apnsUrl?: string): Record<string, string> => ({
      APPLE_WALLET_PASS_TYPE_ID: PASS_TYPE_ID,
      APPLE_WALLET_TEAM_ID: 'ABCDE12345',
      APPLE_WALLET_CERT: file('pass.pem'),
      APPLE_WALLET_KEY: file('pass.key'),
      APPLE_WALLET_WWDR: file('ca.pem'),
      ...(apnsUrl
        ? { APPLE_WALLET_APNS_URL: apnsUrl, NODE_EXTRA_CA_CERTS: file('localhost.pem') }
        : {}),
    }),
  };
}
export type WalletCertificates = ReturnType<typeof makeWalletCertificates>;

export interface ApnsPush {
  path: string;
  topic: string | undefined;
  body: string;
  /** The common name of the client certificate the push came with. */
  clientCertificate: string | undefined;
}

/** A fake APNs on 127.0.0.1: records each push, and answers what `status` says for its token. */
export async function startFakeApns(certificates: WalletCertificates) {
  const pushes: ApnsPush[] = [];
  let status = (_token: string) => 200;
  const server = http2.createSecureServer({
    key: readFileSync(certificates.file('localhost.key')),
    cert: readFileSync(certificates.file('localhost.pem')),
    requestCert: true,
    rejectUnauthorized: false,
  });
  server.on('stream', (stream, headers) => {
    let body = '';
    stream.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    stream.on('end', () => {
      const path = String(headers[':path']);
      const socket = stream.session?.socket as
        | { getPeerCertificate(): { subject?: { CN?: string } } }
        | undefined;
      const peer = socket?.getPeerCertificate();
      pushes.push({
        path,
        topic: headers['apns-topic'] as string | undefined,
        body,
        clientCertificate: peer?.subject?.CN,
      });
      stream.respond({ ':status': status(path.replace('/3/device/', '')) });
      stream.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://localhost:${port}`,
    pushes,
    answer(next: (token: string) => number) {
      status = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
