import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import type { WalletCertificates } from './apple-wallet';

// Google's side of Google Wallet, made at test time: a service account with a fresh RSA key, and
// one fake server (TLS, HTTP/2 or HTTP/1.1, on 127.0.0.1) standing in for Google's token
// endpoint, the walletobjects API and the save page.

export const ISSUER_ID = '3388000000022212345';
export const CLIENT_EMAIL = 'passgate@wallet-test.iam.gserviceaccount.com';

/** A service account's key file, as Google's console hands it out. */
export function makeServiceAccount(certificates: WalletCertificates) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const file = certificates.file('service-account.json');
  writeFileSync(
    file,
    JSON.stringify({
      type: 'service_account',
      project_id: 'wallet-test',
      private_key_id: 'key-1',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      client_email: CLIENT_EMAIL,
    }),
  );
  return { file, publicKey };
}

export interface GoogleCall {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
}

/**
 * The fake Google. Records every call; issues access tokens only for an assertion signed by the
 * service account's key; keeps classes and objects as Google would (409 for an id taken, 404
 * for an object not there); `answer` makes it fail a method for a while.
 */
export async function startFakeGoogle(certificates: WalletCertificates, publicKey: KeyObject) {
  const calls: GoogleCall[] = [];
  const tokens: string[] = [];
  const classes = new Map<string, Record<string, unknown>>();
  const objects = new Map<string, Record<string, unknown>>();
  let fail: (call: GoogleCall) => number | undefined = () => undefined;
  let url = '';
  const server = http2.createSecureServer({
    key: readFileSync(certificates.file('localhost.key')),
    cert: readFileSync(certificates.file('localhost.pem')),
    allowHTTP1: true,
  });
  server.on('request', (request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    request.on('end', async () => {
      const path = new URL(request.url, 'https://localhost').pathname;
      const reply = (status: number, body: unknown = {}) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (path === '/token') {
        const form = new URLSearchParams(text);
        try {
          await jwtVerify(form.get('assertion') ?? '', publicKey, {
            issuer: CLIENT_EMAIL,
            audience: `${url}/token`,
          });
        } catch {
          return reply(400, { error: 'invalid_grant' });
        }
        const token = `access-${tokens.length + 1}`;
        tokens.push(token);
        return reply(200, { access_token: token, expires_in: 3600, token_type: 'Bearer' });
      }
      if (path.startsWith('/save/')) {
        response.writeHead(200, { 'content-type': 'text/html' });
        return response.end(
          '<!doctype html><title>Google Wallet</title><h1>Saved to Google Wallet</h1>',
        );
      }
      const call: GoogleCall = {
        method: request.method,
        path: path.replace('/walletobjects/v1', ''),
        body: text ? JSON.parse(text) : undefined,
      };
      calls.push(call);
      const bearer = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
      if (!bearer || !tokens.includes(bearer)) return reply(401, { error: 'unauthenticated' });
      const failed = fail(call);
      if (failed) return reply(failed, { error: { code: failed } });
      const body = call.body ?? {};
      const id = decodeURIComponent(call.path.split('/')[2] ?? '');
      if (call.method === 'POST' && call.path === '/genericClass') {
        if (classes.has(String(body.id))) return reply(409);
        classes.set(String(body.id), body);
        return reply(200, body);
      }
      if (call.method === 'POST' && call.path === '/genericObject') {
        if (objects.has(String(body.id))) return reply(409);
        if (!classes.has(String(body.classId))) return reply(404, { error: 'no such class' });
        objects.set(String(body.id), body);
        return reply(200, body);
      }
      if (call.method === 'PATCH' && call.path.startsWith('/genericObject/')) {
        const object = objects.get(id);
        if (!object) return reply(404);
        objects.set(id, { ...object, ...body });
        return reply(200, objects.get(id));
      }
      return reply(404, { error: 'not a route of this fake' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://localhost:${(server.address() as AddressInfo).port}`;
  return {
    url,
    calls,
    tokens,
    objects,
    /** Answers `status` for the calls `which` picks (undefined: as Google would). */
    answer(next: (call: GoogleCall) => number | undefined) {
      fail = next;
    },
    /** The environment that turns Google Wallet on against this fake. */
    env: (credentials: string): Record<string, string> => ({
      GOOGLE_WALLET_ISSUER_ID: ISSUER_ID,
      GOOGLE_WALLET_CREDENTIALS: credentials,
      GOOGLE_WALLET_API_URL: `${url}/walletobjects/v1`,
      GOOGLE_WALLET_TOKEN_URL: `${url}/token`,
      GOOGLE_WALLET_SAVE_URL: `${url}/save/`,
      NODE_EXTRA_CA_CERTS: certificates.file('localhost.pem'),
    }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
