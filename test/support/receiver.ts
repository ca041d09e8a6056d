import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { vi } from 'vitest';

export interface ReceivedHook {
  headers: http.IncomingHttpHeaders;
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: the parsed webhook payload
  json: any;
  at: number;
}

/** What the receiver answers to its n-th request (0-based): a status, or a hang. */
export type Behaviour = (
  n: number,
) => { status: number; headers?: Record<string, string> } | 'hang';

/** A real HTTP server on 127.0.0.1 that records what it receives. */
export async function startReceiver(behaviour: Behaviour = () => ({ status: 200 })) {
  const received: ReceivedHook[] = [];
  let count = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: req.headers, body, json: JSON.parse(body), at: Date.now() });
      const answer = behaviour(count++);
      if (answer === 'hang') return; // never answers; the sender must time out
      res.writeHead(answer.status, answer.headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** Waits until `predicate` holds for what was received (polling), or fails after `ms`. */
    async waitFor(predicate: (hooks: ReceivedHook[]) => boolean, ms = 20_000) {
      await vi
        .waitUntil(() => predicate(received), { timeout: ms })
        .catch(() => {
          throw new Error(`receiver: condition not met in ${ms} ms; got ${received.length}`);
        });
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Verifies a Standard Webhooks signature with node:crypto alone, independently of the library
 * the server signs with: base64 HMAC-SHA256 of `id.timestamp.body`, keyed by the secret's bytes.
 */
export function verifySignature(secret: string, hook: ReceivedHook): boolean {
  const id = String(hook.headers['webhook-id']);
  const timestamp = String(hook.headers['webhook-timestamp']);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${hook.body}`).digest();
  return String(hook.headers['webhook-signature'])
    .split(' ')
    .some((part) => {
      const [version, signature] = part.split(',');
      const given = Buffer.from(signature ?? '', 'base64');
      return (
        version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected)
      );
    });
}
