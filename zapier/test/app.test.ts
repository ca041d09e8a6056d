import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import zapier from 'zapier-platform-core';
import { REPO_ROOT } from '../../test/support/server';
import { http as api, createTenant, type TestTenant } from '../../test/support/tenant';
import app from '../src/index';
import { appTester, connection, refusal } from './support';

// The Zapier integration run as Zapier runs it (`createAppTester`), against the real server:
// its connection, its actions and searches, and how it passes on the server's refusals.

const require = createRequire(import.meta.url);
let tenant: TestTenant;
let authData: ReturnType<typeof connection>;
beforeAll(async () => {
  tenant = await createTenant();
  authData = connection(tenant);
});

/** A server on 127.0.0.1 that answers every request with `answer`. */
async function fakeServer(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const server = http.createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise((resolve) => server.close(resolve)) };
}
const fakes: { close(): Promise<unknown> }[] = [];
afterAll(() => Promise.all(fakes.map((fake) => fake.close())));

describe('the app definition', () => {
  it("validates against Zapier's schema, and builds to the entry point Zapier's CLI loads", () => {
    const schema = require('zapier-platform-core/src/tools/schema');
    expect(schema.validateApp(schema.compileApp(app))).toEqual([]);
    const zapierDir = path.join(REPO_ROOT, 'zapier');
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: zapierDir,
      },
    );
    const built = require(path.join(zapierDir, require(path.join(zapierDir, 'package.json')).main));
    expect(Object.keys(built.triggers)).toEqual(Object.keys(app.triggers));
    expect(Object.keys(built.creates)).toEqual(Object.keys(app.creates));
    expect(Object.keys(built.searches)).toEqual(Object.keys(app.searches));
    expect(built.platformVersion).toBe(zapier.version);
    expect(built.version).toBe(require(path.join(zapierDir, 'package.json')).version);
  });
});

describe('the connection', () => {
  it('tests a full key with GET /me and is named after the tenant, however the URL is typed', async () => {
    const me = await appTester(app.authentication.test, { authData });
    expect(me).toMatchObject({ tenant: { id: tenant.id }, key: { scope: 'full' } });
    const label = await appTester(app.authentication.connectionLabel, { authData, inputData: me });
    expect(label).toBe((me as { tenant: { name: string } }).tenant.name);
    expect(label).not.toBe('');
    for (const baseUrl of [`${tenant.server.url}/`, `${tenant.server.url}/api/v1/`]) {
      const again = await appTester(app.authentication.test, {
        authData: { ...authData, baseUrl },
      });
      expect(again).toEqual(me);
    }
  });

  it('says in words what is wrong: the key, a scan key, the URL, a server that is not Passgate', async () => {
    const scanKey = (await tenant.createKey({ scope: 'scan' })).apiKey;
    const html = await fakeServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not found</h1>');
    });
    const empty = await fakeServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    fakes.push(html, empty);
    const cases: [Record<string, string>, RegExp][] = [
      [{ apiKey: 'pg_live_not_a_key' }, /did not accept the API key \(.+\)/],
      [{ apiKey: scanKey }, /This key may only scan/],
      [
        { baseUrl: 'http://127.0.0.1:9' },
        /Could not reach a Passgate server at http:\/\/127\.0\.0\.1:9/,
      ],
      [{ baseUrl: 'passes dot example' }, /"passes dot example" is not a web address/],
      [{ baseUrl: 'ftp://passes.example.com' }, /must start with https:\/\//],
      [{ baseUrl: html.url }, /GET .*\/api\/v1\/me answered 404, not as a Passgate server would/],
      [{ baseUrl: empty.url }, /answered, but not as a Passgate server would/],
    ];
    for (const [change, message] of cases) {
      const error = await refusal(
        appTester(app.authentication.test, { authData: { ...authData, ...change } }),
      );
      expect((error.said as { message: string }).message, JSON.stringify(change)).toMatch(message);
    }
  });
});

describe('actions and searches', () => {
  it('creates a pass with every field, once however often Zapier sends the same run', async () => {
    const made = async (route: string, json: Record<string, unknown>) =>
      (await api(`${tenant.apiUrl}/${route}`, { key: tenant.apiKey, json })).body.id as string;
    const templateId = await made('templates', { name: 'Zap gala' });
    const locationId = await made('locations', { name: 'Zap hall' });
    // The dropdowns offer them by name.
    for (const [trigger, id, name] of [
      ['templates_list', templateId, 'Zap gala'],
      ['locations_list', locationId, 'Zap hall'],
    ] as const) {
      const listed = await appTester(app.triggers[trigger].operation.perform, { authData });
      expect(listed, trigger).toContainEqual(expect.objectContaining({ id, name }));
    }
    const bundle = {
      authData,
      meta: { zap: { id: 'zap-create-1' } },
      inputData: {
        type: 'multi',
        name: 'Zoë Zapier',
        note: 'made by a Zap',
        clientName: 'Zap Holder',
        maxUsages: '3',
        validFrom: '2026-01-01T00:00:00Z',
        validUntil: '2030-01-01T00:00:00Z',
        customFields: [{ key: 'Seat', value: '12A', isPublic: 'true' }],
        templateId,
        locationId,
      },
    };
    const before = await tenant.counts();
    const pass = (await appTester(app.creates.create_pass.operation.perform, bundle)) as {
      id: string;
      code: string;
    };
    const again = await appTester(app.creates.create_pass.operation.perform, bundle);
    expect(again).toEqual(pass);
    expect((await tenant.counts()).passes - before.passes).toBe(1);
    const read = await api(`${tenant.apiUrl}/passes/${pass.id}`, { key: tenant.apiKey });
    expect(read.body).toMatchObject({
      type: 'multi',
      name: 'Zoë Zapier',
      maxUsages: 3,
      validFrom: '2026-01-01T00:00:00.000Z',
      validUntil: '2030-01-01T00:00:00.000Z',
      fields: [{ key: 'Seat', value: '12A', isPublic: true }],
      client: { name: 'Zap Holder' },
      templateId,
      locationId,
    });
    const passes = await appTester(app.triggers.passes_list.operation.perform, { authData });
    expect((passes as { id: string }[])[0]).toMatchObject({ id: pass.id, name: 'Zoë Zapier' });

    // Found by its code in any case, or by its whole name whatever the case and accents.
    const find = (inputData: Record<string, string>) =>
      appTester(app.searches.find_pass.operation.perform, { authData, inputData });
    expect(await find({ code: pass.code.toLowerCase() })).toEqual([
      expect.objectContaining({ id: pass.id }),
    ]);
    expect(await find({ name: 'ZOE zapier' })).toEqual([expect.objectContaining({ id: pass.id })]);
    expect(await find({ name: 'Zoë' })).toEqual([]);
    expect(await find({ code: 'NOSUCHCODE12' })).toEqual([]);
    expect((await refusal(find({}))).said).toMatchObject({ message: /Give the code or the name/ });
  });

  it('finds a pass older than a hundred newer passes its name is part of', async () => {
    const owner = await createTenant();
    const auth = connection(owner);
    const first = await owner.client.passes.create({ type: 'single', name: 'Ana' });
    if (!first.ok) throw new Error(first.error);
    const rows = Array.from({ length: 150 }, (_, i) => `single,Ana Lima ${i + 1}`);
    const imported = await api(`${owner.apiUrl}/passes/import`, {
      key: owner.apiKey,
      body: `type,name\n${rows.join('\n')}\n`,
      headers: { 'content-type': 'text/csv' },
    });
    expect(imported.status).toBe(200);
    const find = (inputData: Record<string, string>) =>
      appTester(app.searches.find_pass.operation.perform, { authData: auth, inputData });
    // "Ana" is part of 151 names: the one named so is on the search's second page.
    expect(await find({ name: 'ana' })).toEqual([expect.objectContaining({ id: first.data.id })]);
    expect(await find({ name: 'Ana Lima 150' })).toEqual([
      expect.objectContaining({ name: 'Ana Lima 150' }),
    ]);
    expect(await find({ name: 'Ana Lim' })).toEqual([]);
  });

  it('updates, revokes and activates a pass; a retried revoke answers as the first did', async () => {
    const pass = await tenant.newPass({ type: 'multi', name: 'To change' });
    const updated = await appTester(app.creates.update_pass.operation.perform, {
      authData,
      inputData: { passId: pass.id, name: 'Changed', maxUsages: 5, note: '' },
    });
    expect(updated).toMatchObject({ id: pass.id, name: 'Changed', maxUsages: 5, type: 'multi' });
    const revoke = { authData, inputData: { passId: pass.id }, meta: { zap: { id: 'zap-r' } } };
    const revoked = await appTester(app.creates.revoke_pass.operation.perform, revoke);
    expect(revoked).toMatchObject({ id: pass.id, status: 'revoked' });
    expect(await appTester(app.creates.revoke_pass.operation.perform, revoke)).toEqual(revoked);
    const activated = await appTester(app.creates.activate_pass.operation.perform, {
      authData,
      inputData: { passId: pass.id },
    });
    expect(activated).toMatchObject({ id: pass.id, status: 'active' });
    // The server's own words, with its status.
    const missing = await refusal(
      appTester(app.creates.revoke_pass.operation.perform, {
        authData,
        inputData: { passId: 'pass_nosuchpass0000' },
      }),
    );
    expect(missing.said).toMatchObject({ status: 404, message: expect.stringMatching(/pass/i) });
  });

  it('creates a client once, finds it by name, email or phone, and says why a twin is refused', async () => {
    const inputData = {
      name: 'Zoë Client',
      email: 'zoe.client@example.com',
      phone: '+1 555 0100',
      notes: 'from Zapier',
    };
    const bundle = { authData, inputData, meta: { zap: { id: 'zap-client' } } };
    const before = await tenant.counts();
    const client = (await appTester(app.creates.create_client.operation.perform, bundle)) as {
      id: string;
    };
    expect(await appTester(app.creates.create_client.operation.perform, bundle)).toEqual(client);
    expect((await tenant.counts()).clients - before.clients).toBe(1);
    const find = (input: Record<string, string>) =>
      appTester(app.searches.find_client.operation.perform, { authData, inputData: input });
    for (const input of <Record<string, string>[]>[
      { name: 'zoe CLIENT' },
      { email: 'ZOE.client@example.com' },
      { phone: '+1 555 0100' },
    ]) {
      expect(await find(input), JSON.stringify(input)).toEqual([
        expect.objectContaining({ id: client.id, name: 'Zoë Client' }),
      ]);
    }
    expect(await find({ name: 'Zoë' })).toEqual([]);
    const twin = await refusal(
      appTester(app.creates.create_client.operation.perform, {
        authData,
        inputData: { name: 'ZOE client', email: 'other@example.com' },
      }),
    );
    expect(twin.said).toMatchObject({ status: 409, message: expect.stringMatching(/Zoë Client/) });
    // Find or create: the search, then the create, as Zapier runs the pair.
    expect(app.searchOrCreates.find_client).toMatchObject({
      search: 'find_client',
      create: 'create_client',
    });
    expect(app.searchOrCreates.find_pass).toMatchObject({
      search: 'find_pass',
      create: 'create_pass',
    });
  });
});

describe("the server's refusals", () => {
  it("turns a 429 into Zapier's throttle with the server's Retry-After", async () => {
    const slow = connection(tenant, (await tenant.createKey({ rateLimit: 1 })).apiKey);
    const create = (name: string) =>
      appTester(app.creates.create_pass.operation.perform, {
        authData: slow,
        inputData: { type: 'single', name },
      });
    await create('Within the limit');
    const throttled = await refusal(create('Past the limit'));
    expect(throttled.name).toBe('ThrottledError');
    expect(throttled.said).toEqual({
      message: expect.stringMatching(/Rate limit of 1 requests per minute exceeded/),
      delay: expect.any(Number),
    });
    // Retry-After: the seconds left of the key's minute.
    expect((throttled.said as { delay: number }).delay).toBeGreaterThan(0);
    expect((throttled.said as { delay: number }).delay).toBeLessThanOrEqual(60);
  });

  it('leaves a 5xx to Zapier as a failed request, and throttles a 503 that says when', async () => {
    const failing = await fakeServer((req, res) => {
      if (req.url?.endsWith('/passes')) {
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end('{"error":"Internal error"}');
      } else {
        res
          .writeHead(503, { 'content-type': 'application/json', 'retry-after': '7' })
          .end('{"error":"The database is out of reach"}');
      }
    });
    fakes.push(failing);
    const at = { ...authData, baseUrl: failing.url };
    const failed = await refusal(
      appTester(app.creates.create_pass.operation.perform, {
        authData: at,
        inputData: { type: 'single' },
      }),
    );
    expect(failed.name).toBe('ResponseError');
    expect(failed.said).toMatchObject({ status: 500 });
    const busy = await refusal(
      appTester(app.creates.create_client.operation.perform, {
        authData: at,
        inputData: { name: 'Later' },
      }),
    );
    expect(busy.name).toBe('ThrottledError');
    expect(busy.said).toEqual({ message: 'The database is out of reach', delay: 7 });
  });
});
