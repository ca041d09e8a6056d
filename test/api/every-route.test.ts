import { beforeAll, describe, expect, inject, it } from 'vitest';
import { type CreatedKey, createTenant, http, type TestTenant } from '../support/tenant';
import { type Session, signedInUser } from '../support/users';

const { url } = inject('server');

/** The operations a scan-scope key may call; every other one is 403 for it. */
const SCAN_SCOPE = new Set([
  'POST /scan',
  'GET /me',
  'GET /scanner/sync',
  'POST /scans/{scanId}/annul',
]);
/** The operations that take no key (the document says so with an empty `security`). */
const PUBLIC = new Set(['POST /devices/pair', 'POST /session', 'POST /invites/accept']);
/** What only admins (and full keys) may call. */
const ADMIN_ONLY = /^\/(keys|webhooks|triggers|users)(\/|$)/;
/** Signing out ends the session the walk goes on with: walked last, on its own. */
const SIGN_OUT = 'DELETE /session';

interface Operation {
  method: string;
  /** The path as the document writes it: `/passes/{passId}`. */
  path: string;
  /** The operation's own `security`, where it has one. */
  security?: unknown[];
}

const nameOf = (operation: Operation) => `${operation.method} ${operation.path}`;
const keyed = () => operations.filter((operation) => !PUBLIC.has(nameOf(operation)));

let owner: TestTenant;
let stranger: TestTenant;
let free: TestTenant;
let scanKey: CreatedKey;
let staff: Session;
let strangerAdmin: Session;
let operations: Operation[];
/** An id of the owner's for each path parameter of the document. */
let ids: Record<string, string>;

beforeAll(async () => {
  const document = (await http(`${url}/api/v1/openapi.json`)).body;
  operations = Object.entries(
    document.paths as Record<string, Record<string, { security?: unknown[] }>>,
  ).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      ...(operation.security ? { security: operation.security } : {}),
    })),
  );
  [owner, stranger, free] = await Promise.all([
    createTenant(),
    createTenant(),
    createTenant({ plan: 'free' }),
  ]);
  scanKey = await owner.createKey({ scope: 'scan' });
  [staff, strangerAdmin] = await Promise.all([
    signedInUser(owner, { role: 'staff' }),
    signedInUser(stranger, { role: 'admin' }),
  ]);
  const [user, key] = await Promise.all([
    signedInUser(owner, { role: 'staff' }),
    owner.createKey({ scope: 'full' }),
  ]);
  const [pass, client, webhook, device] = await Promise.all([
    http(`${owner.apiUrl}/passes`, { key: owner.apiKey, json: { type: 'single' } }),
    http(`${owner.apiUrl}/clients`, { key: owner.apiKey, json: { name: 'Walker' } }),
    http(`${owner.apiUrl}/webhooks`, {
      key: owner.apiKey,
      json: { event: 'pass.created', targetUrl: 'http://127.0.0.1:9/hook' },
    }),
    http(`${owner.apiUrl}/devices`, { key: owner.apiKey, json: { name: 'Door' } }),
  ]);
  const scan = await http(`${owner.apiUrl}/scan`, {
    key: owner.apiKey,
    json: { code: pass.body.code },
  });
  ids = {
    passId: pass.body.id,
    clientId: client.body.id,
    webhookId: webhook.body.id,
    deviceId: device.body.device.id,
    scanId: scan.body.scan.id,
    // Any event id: another tenant's webhook is not found before its delivery is looked for.
    eventId: 'evt_none',
    userId: user.user.id,
    keyId: key.id,
  };
});

/** The operation's path with the owner's ids in it, under the server's `/api/v1`. */
function pathOf(operation: Operation): string {
  return operation.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const id = ids[name];
    if (id === undefined) throw new Error(`no id for the path parameter ${name}: add one above`);
    return id;
  });
}

const bodyOf = (operation: Operation) =>
  ['POST', 'PATCH'].includes(operation.method) ? { json: {} } : {};

const call = (operation: Operation, key?: string) =>
  http(`${url}/api/v1${pathOf(operation)}`, {
    method: operation.method,
    key,
    ...bodyOf(operation),
  });

const callAs = (session: Session, operation: Operation, headers: Record<string, string> = {}) =>
  session.call(pathOf(operation), { method: operation.method, headers, ...bodyOf(operation) });

// Every operation of the OpenAPI document, so that a new route is walked the day it is added.
describe('every operation of the API', () => {
  it('is in the document, and the walk knows each of its path parameters', () => {
    expect(operations.length).toBeGreaterThan(10);
    for (const operation of operations) expect(() => pathOf(operation)).not.toThrow();
  });

  it('answers 401 without a key, but for the few the document marks as needing none', async () => {
    for (const operation of operations) {
      if (PUBLIC.has(nameOf(operation))) {
        expect(operation.security, nameOf(operation)).toEqual([]);
        continue;
      }
      expect(operation.security, nameOf(operation)).toBeUndefined();
      const res = await call(operation);
      expect(res.status, `${operation.method} ${operation.path}`).toBe(401);
      expect(res.body.error).toBeTypeOf('string');
    }
  });

  it('answers 403 to a tenant not on the Pro plan', async () => {
    for (const operation of keyed()) {
      const res = await call(operation, free.apiKey);
      expect(res.status, `${operation.method} ${operation.path}`).toBe(403);
      expect(res.body.error).toMatch(/Pro plan/);
    }
  });

  it('answers 403 to a scan-scope key outside scanning', async () => {
    for (const operation of keyed()) {
      if (SCAN_SCOPE.has(`${operation.method} ${operation.path}`)) continue;
      const res = await call(operation, scanKey.apiKey);
      expect(res.status, `${operation.method} ${operation.path}`).toBe(403);
      expect(res.body.error).toMatch(/scan/);
    }
  });

  it('answers 403 to a staff user for keys, webhooks, triggers and users', async () => {
    for (const operation of keyed().filter((op) => nameOf(op) !== SIGN_OUT)) {
      const res = await callAs(staff, operation);
      if (ADMIN_ONLY.test(operation.path)) {
        expect(res.status, nameOf(operation)).toBe(403);
        expect(res.body.error).toMatch(/Only admins/);
      } else {
        expect(res.body?.error ?? '', nameOf(operation)).not.toMatch(/Only admins|Cross-site/);
      }
    }
  });

  it('answers 403 to a signed-in write from another site, before anything else', async () => {
    const writes = keyed().filter(({ method }) => method !== 'GET');
    expect(writes.length).toBeGreaterThan(10);
    for (const operation of writes) {
      const res = await callAs(staff, operation, { origin: 'https://evil.example' });
      expect(res.status, nameOf(operation)).toBe(403);
      expect(res.body.error).toMatch(/Cross-site/);
    }
  });

  it("answers 404 for another tenant's ids, as if they did not exist", async () => {
    for (const operation of operations.filter(({ path }) => path.includes('{'))) {
      const res = await call(operation, stranger.apiKey);
      expect(res.status, `${operation.method} ${operation.path}`).toBe(404);
      expect(res.body.error).toMatch(/not found/);
      const signedIn = await callAs(strangerAdmin, operation);
      expect(signedIn.status, `signed in: ${nameOf(operation)}`).toBe(404);
    }
  });
});
