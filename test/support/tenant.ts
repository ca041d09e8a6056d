import { inject } from 'vitest';
import { admin } from './admin';
import { createTestClient, type TestClient } from './api-client';

export interface TestTenant {
  id: string;
  /** A full-scope key with a high rate limit, so tests are not throttled. */
  apiKey: string;
  keyId: string;
  server: { url: string; env: Record<string, string> };
  /** The server's `/api/v1`. */
  apiUrl: string;
  /** Typed calls through the generated client (`@passgate/client`). */
  client: TestClient;
  /** Another key of this tenant (`pnpm admin key create`). */
  createKey(options?: { scope?: 'full' | 'scan'; rateLimit?: number }): Promise<CreatedKey>;
  /** A new pass of this tenant (`POST /passes`), as the API answered it; fails the test on an error. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON came back
  newPass(body?: Record<string, unknown>): Promise<any>;
  /** A door device made and paired as a phone pairs it: its id and its credential. */
  pairDoor(name: string, locationId?: string | null): Promise<{ id: string; key: string }>;
  /** Counts of what the tenant has in the database (`pnpm admin tenant show`). */
  counts(): Promise<{ passes: number; clients: number; scans: number; events: number }>;
}

export interface CreatedKey {
  apiKey: string;
  id: string;
  prefix: string;
  scope: 'full' | 'scan';
  rateLimit: number | null;
  pairingUrl: string;
}

interface CreatedTenant {
  tenant: { id: string };
  apiKey: string;
  key: { id: string };
}

/** A fresh tenant on the run's shared server (or another server), made with the real CLI. */
export async function createTenant(
  options: {
    server?: { url: string; env: Record<string, string> };
    plan?: 'free' | 'basic' | 'pro';
    maxPasses?: number;
    webhookQuota?: number;
    rateLimit?: number | null;
  } = {},
): Promise<TestTenant> {
  const server = options.server ?? inject('server');
  const argv = [
    'tenant',
    'create',
    '--name',
    `Test ${Date.now()}`,
    '--plan',
    options.plan ?? 'pro',
  ];
  if (options.maxPasses !== undefined) argv.push('--max-passes', String(options.maxPasses));
  if (options.webhookQuota !== undefined)
    argv.push('--webhook-quota', String(options.webhookQuota));
  const rateLimit = options.rateLimit === undefined ? 1_000_000 : options.rateLimit;
  if (rateLimit !== null) argv.push('--rate-limit', String(rateLimit));
  const created = await admin<CreatedTenant>(server.env, ...argv);
  return {
    id: created.tenant.id,
    apiKey: created.apiKey,
    keyId: created.key.id,
    server,
    apiUrl: `${server.url}/api/v1`,
    client: createTestClient({ baseUrl: server.url, apiKey: created.apiKey }),
    createKey(options = {}) {
      const argv = [
        'key',
        'create',
        '--tenant',
        created.tenant.id,
        '--scope',
        options.scope ?? 'full',
      ];
      if (options.rateLimit !== undefined) argv.push('--rate-limit', String(options.rateLimit));
      return admin<CreatedKey>(server.env, ...argv);
    },
    async newPass(body = {}) {
      const pass = await http(`${server.url}/api/v1/passes`, {
        key: created.apiKey,
        json: { type: 'single', ...body },
      });
      if (pass.status !== 201) throw new Error(`POST /passes: ${pass.status} ${pass.text}`);
      return pass.body;
    },
    async pairDoor(name, locationId) {
      const made = await http(`${server.url}/api/v1/devices`, {
        key: created.apiKey,
        json: { name, ...(locationId === undefined ? {} : { locationId }) },
      });
      if (made.status !== 201) throw new Error(`POST /devices: ${made.status} ${made.text}`);
      const token = new URL(made.body.pairingUrl).hash.replace(/^#pair=/, '');
      const paired = await http(`${server.url}/api/v1/devices/pair`, { json: { token } });
      if (paired.status !== 200) throw new Error(`pairing: ${paired.status} ${paired.text}`);
      return { id: made.body.device.id as string, key: paired.body.apiKey as string };
    },
    async counts() {
      const shown = await admin<{ counts: Awaited<ReturnType<TestTenant['counts']>> }>(
        server.env,
        'tenant',
        'show',
        '--tenant',
        created.tenant.id,
      );
      return shown.counts;
    },
  };
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON came back
  body: any;
  text: string;
}

/** A raw HTTP call, for the cases the typed client cannot express (bad bodies, odd headers). */
export async function http(
  url: string,
  init: {
    method?: string;
    key?: string;
    json?: unknown;
    body?: string;
    headers?: Record<string, string>;
    signal?: AbortSignal;
  } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
    signal: init.signal,
  });
  // An event stream never ends by itself: what it answered (its status) is all a call reads.
  if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
    await response.body?.cancel();
    return { status: response.status, headers: response.headers, body: undefined, text: '' };
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** A CSV of `count` single passes named `Guest 1` to `Guest N`. */
export const guestsCsv = (count: number) =>
  `type,name\n${Array.from({ length: count }, (_, i) => `single,Guest ${i + 1}`).join('\n')}\n`;

/** `POST /passes/import` of `guestsCsv(count)` for `owner`: the answer, whatever it is. */
export const postGuests = (owner: TestTenant, count: number) =>
  http(`${owner.apiUrl}/passes/import`, {
    key: owner.apiKey,
    body: guestsCsv(count),
    headers: { 'content-type': 'text/csv' },
  });

/**
 * Passes named `Guest 1` to `Guest N` of `owner`, made by one CSV import (they share a creation
 * moment, a microsecond apart): enough of them to pass a count's bound.
 */
export async function importGuests(owner: TestTenant, count: number): Promise<void> {
  const imported = await postGuests(owner, count);
  if (imported.status !== 200) {
    throw new Error(`the import failed (${imported.status}): ${imported.text}`);
  }
}
