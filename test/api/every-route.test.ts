import { beforeAll, describe, expect, inject, it } from 'vitest';
import { type CreatedKey, createTenant, http, type TestTenant } from '../support/tenant';
import { type Session, signedInUser } from '../support/users';

const { url } = inject('server');

/** Signing out ends the session the walk goes on with: walked last, on its own. */
const SIGN_OUT = 'DELETE /session';

type CallerKind = 'anyone' | 'scan-key' | 'full-key' | 'staff' | 'admin';

interface Operation {
  method: string;
  /** The path as the document writes it: `/passes/{passId}`. */
  path: string;
  /** The operation's own `security`, where it has one. */
  security?: unknown[];
  /** Who may call it, as the document says. */
  access: CallerKind[];
  summary: string;
}

const nameOf = (operation: Operation) => `${operation.method} ${operation.path}`;
const isOpen = (operation: Operation) => operation.access.includes('anyone');
const keyed = () => operations.filter((operation) => !isOpen(operation));
const allows = (operation: Operation, kind: CallerKind) => operation.access.includes(kind);
/** The refusals that say the caller is of the wrong kind. */
const WRONG_CALLER = /scan" scope|Only admins|may be called by/;

let owner: TestTenant;
let stranger: TestTenant;
let free: TestTenant;
let scanKey: CreatedKey;
let staff: Session;
let admin: Session;
let strangerAdmin: Session;
let operations: Operation[];
/** An id of the owner's for each path parameter of the document. */
let ids: Record<string, string>;

beforeAll(async () => {
  const document = (await http(`${url}/api/v1/openapi.json`)).body;
  operations = Object.entries(
    document.paths as Record<
      string,
      Record<string, { security?: unknown[]; summary: string; 'x-access': CallerKind[] }>
    >,
  ).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      access: operation['x-access'],
      summary: operation.summary,
      ...(operation.security ? { security: operation.security } : {}),
    })),
  );
  [owner, stranger, free] = await Promise.all([
    createTenant(),
    createTenant(),
    createTenant({ plan: 'free' }),
  ]);
  scanKey = await owner.createKey({ scope: 'scan' });
  [staff, admin, strangerAdmin] = await Promise.all([
    signedInUser(owner, { role: 'staff' }),
    signedInUser(owner, { role: 'admin' }),
    signedInUser(stranger, { role: 'admin' }),
  ]);
  const [user, key] = await Promise.all([
    signedInUser(owner, { role: 'staff' }),
    owner.createKey({ scope: 'full' }),
  ]);
  const [pass, client, webhook, device, location, template] = await Promise.all([
    http(`${owner.apiUrl}/passes`, { key: owner.apiKey, json: { type: 'single' } }),
    http(`${owner.apiUrl}/clients`, { key: owner.apiKey, json: { name: 'Walker' } }),
    http(`${owner.apiUrl}/webhooks`, {
      key: owner.apiKey,
      json: { event: 'pass.created', targetUrl: 'http://127.0.0.1:9/hook' },
    }),
    http(`${owner.apiUrl}/devices`, { key: owner.apiKey, json: { name: 'Door' } }),
    http(`${owner.apiUrl}/locations`, { key: owner.apiKey, json: { name: 'Hall' } }),
    http(`${owner.apiUrl}/templates`, { key: owner.apiKey, json: { name: 'Look' } }),
  ]);
  const [signingKey] = (await http(`${owner.apiUrl}/signing-keys`, { key: owner.apiKey })).body;
  const scan = await http(`${owner.apiUrl}/scan`, {
    key: owner.apiKey,
    json: { code: pass.body.code },
  });
  ids = {
    passId: pass.body.id,
    clientId: client.body.id,
    webhookId: webhook.body.id,
    deviceId: device.body.device.id,
    locationId: location.body.id,
    templateId: template.body.id,
    kind: 'logo',
    scanId: scan.body.scan.id,
    // Any event id: another tenant's webhook is not found before its delivery is looked for.
    eventId: 'evt_none',
    userId: user.user.id,
    keyId: key.id,
    signingKeyId: signingKey.id,
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

/**
 * The least body each write takes: `{}`, or where a field is required, one that names another
 * object of the walk's tenant, so that who may call it (and whose ids it sees) is what answers.
 */
const REQUIRED_BODIES: Record<string, Record<string, unknown>> = {
  'POST /clients/{clientId}/merge': { into: 'cli_walkers0000000000000' },
  'POST /locations': { name: 'Walked hall' },
  'POST /templates': { name: 'Walked look' },
};
const bodyOf = (operation: Operation) =>
  ['POST', 'PATCH'].includes(operation.method)
    ? { json: REQUIRED_BODIES[`${operation.method} ${operation.path}`] ?? {} }
    : {};

const call = (operation: Operation, key?: string) =>
  http(`${url}/api/v1${pathOf(operation)}`, {
    method: operation.method,
    key,
    ...bodyOf(operation),
  });

const callAs = (session: Session, operation: Operation, headers: Record<string, string> = {}) =>
  session.call(pathOf(operation), { method: operation.method, headers, ...bodyOf(operation) });

// Every operation of the OpenAPI document, so that a new route is walked the day it is added,
// and what each kind of caller gets from it follows from the `x-access` the route declares.
describe('every operation of the API', () => {
  it('is in the document, declares who may call it, and the walk knows its path parameters', () => {
    expect(operations.length).toBeGreaterThan(10);
    for (const operation of operations) {
      expect(operation.access.length, nameOf(operation)).toBeGreaterThan(0);
      expect(() => pathOf(operation)).not.toThrow();
    }
    // The few open to anyone: pairing a phone (and seeing whom a link is for), signing in (and
    // asking for a link to choose a new password), taking an invitation.
    expect(operations.filter(isOpen).map(nameOf).sort()).toEqual([
      'POST /devices/pair',
      'POST /devices/pair/preview',
      'POST /invites/accept',
      'POST /session',
      'POST /session/password-link',
    ]);
  });

  it('answers 401 without a key, but for those open to anyone, which need none', async () => {
    for (const operation of operations) {
      if (isOpen(operation)) {
        expect(operation.security, nameOf(operation)).toEqual([]);
        const res = await call(operation);
        expect(res.status, nameOf(operation)).not.toBe(401);
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

  it('answers 403 to a scan-scope key outside what its x-access allows, and lets it call the rest', async () => {
    expect(keyed().filter((op) => allows(op, 'scan-key')).length).toBeGreaterThan(2);
    for (const operation of keyed()) {
      const res = await call(operation, scanKey.apiKey);
      if (allows(operation, 'scan-key')) {
        expect(res.body?.error ?? '', nameOf(operation)).not.toMatch(WRONG_CALLER);
      } else {
        expect(res.status, nameOf(operation)).toBe(403);
        expect(res.body.error).toMatch(/"scan" scope: it may only call .*POST \/scan/);
      }
    }
  });

  it('lets a full key call every operation that needs a credential', async () => {
    for (const operation of keyed()) {
      expect(allows(operation, 'full-key'), nameOf(operation)).toBe(true);
      const res = await call(operation, owner.apiKey);
      expect(res.status, nameOf(operation)).not.toBe(401);
      expect(res.body?.error ?? '', nameOf(operation)).not.toMatch(WRONG_CALLER);
    }
  });

  it('answers 403 to a staff user outside what x-access allows, and lets an admin call all but the keys-only', async () => {
    const adminOnly = keyed().filter((op) => !allows(op, 'staff'));
    expect(adminOnly.length).toBeGreaterThan(5);
    for (const operation of keyed().filter((op) => nameOf(op) !== SIGN_OUT)) {
      const res = await callAs(staff, operation);
      if (allows(operation, 'staff')) {
        expect(res.body?.error ?? '', nameOf(operation)).not.toMatch(/Only admins|Cross-site/);
      } else if (allows(operation, 'admin')) {
        expect(res.status, nameOf(operation)).toBe(403);
        const summary = operation.summary.charAt(0).toLowerCase() + operation.summary.slice(1);
        expect(res.body.error).toBe(`Only admins may ${summary}`);
      } else {
        // For keys alone (a door's uploads, kept by the key that sent them): no one signed in.
        expect(operation.access, nameOf(operation)).toEqual(['scan-key', 'full-key']);
        for (const person of [res, await callAs(admin, operation)]) {
          expect(person.status, nameOf(operation)).toBe(403);
          expect(person.body.error).toBe(
            `${operation.method} ${operation.path} may be called by scan-scope API keys (door devices); full-scope API keys`,
          );
        }
        continue;
      }
      const asAdmin = await callAs(admin, operation);
      expect(asAdmin.status, nameOf(operation)).not.toBe(401);
      expect(asAdmin.body?.error ?? '', nameOf(operation)).not.toMatch(WRONG_CALLER);
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
