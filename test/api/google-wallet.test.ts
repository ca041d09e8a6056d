import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeWalletCertificates } from '../support/apple-wallet';
import { failedStart } from '../support/failed-start';
import {
  CLIENT_EMAIL,
  ISSUER_ID,
  makeServiceAccount,
  startFakeGoogle,
} from '../support/google-wallet';
import { solidPng } from '../support/png';
import { newDataDir, type RunningServer, startServer } from '../support/server';
import { createTenant, http, type TestTenant } from '../support/tenant';

// The holder's pass in Google Wallet, against a fake Google (token endpoint, walletobjects API,
// save page) over TLS: the save link's JWT, the object inserted first, and every change PATCHed
// through the outbox, retried and kept across a crash.

const certificates = makeWalletCertificates();
const account = makeServiceAccount(certificates);
let google: Awaited<ReturnType<typeof startFakeGoogle>>;
// One server with Google Wallet for the file: the outbox is shared by every server on a
// database, so a second one with another fake would send some of these updates elsewhere.
let server: RunningServer;
let tenant: TestTenant;
const dataDir = newDataDir();
const databaseUrl = inject('databaseUrl');
const start = () =>
  startServer({
    dataDir,
    ...(databaseUrl ? { databaseUrl } : {}),
    env: google.env(account.file),
  });

beforeAll(async () => {
  google = await startFakeGoogle(certificates, account.publicKey);
  server = await start();
  tenant = await createTenant({ server });
});
afterAll(async () => {
  await server?.stop();
  await google?.close();
});

const saveLink = (publicUrl: string) => publicUrl.replace(/\?token=/, '/wallet/google?token=');
const objectOf = (passId: string) => google.objects.get(`${ISSUER_ID}.${passId}`);

/** Follows a pass's save link as the holder's browser does; answers the JWT it carried. */
async function save(publicUrl: string) {
  const answer = await fetch(saveLink(publicUrl), { redirect: 'manual' });
  expect(answer.status).toBe(302);
  const location = answer.headers.get('location') ?? '';
  expect(location.startsWith(`${google.url}/save/`)).toBe(true);
  return location.slice(`${google.url}/save/`.length);
}

describe('the Google Wallet pass', () => {
  it('is inserted at Google, then saved by a link whose JWT the service account signed', async () => {
    const logo = await solidPng(480, 150, '#facc15');
    const template = await http(`${tenant.apiUrl}/templates`, {
      key: tenant.apiKey,
      json: {
        name: 'Gala',
        organizationName: 'Harbour Nights',
        backgroundColor: '#1e3a8a',
        logo: logo.toString('base64'),
        supportUrl: 'https://help.example.com',
      },
    });
    const pass = await tenant.newPass({
      name: 'Ada',
      clientName: 'Ada Lovelace',
      validUntil: '2030-06-01T23:30:00Z',
      templateId: template.body.id,
      customFields: [{ key: 'Seat', value: '12A', isPublic: true }],
    });
    const page = await (await fetch(pass.publicUrl)).text();
    const link = new URL(saveLink(pass.publicUrl));
    expect(page).toContain(`href="${link.pathname}${link.search}"`);
    expect(page).toContain('Add to Google Wallet');
    expect(page).not.toContain('Add to Apple Wallet');

    const wallets = () =>
      http(`${tenant.apiUrl}/passes/${pass.id}/wallets`, { key: tenant.apiKey }).then(
        (answer) => answer.body.google,
      );
    expect(await wallets()).toEqual({ configured: true, saved: false });
    const jwt = await save(pass.publicUrl);
    expect(await wallets()).toEqual({ configured: true, saved: true });
    const { payload, protectedHeader } = await jwtVerify(jwt, account.publicKey, {
      issuer: CLIENT_EMAIL,
      audience: 'google',
    });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', kid: 'key-1' });
    expect(payload).toMatchObject({
      typ: 'savetowallet',
      origins: [new URL(server.url.replace('127.0.0.1', 'localhost')).origin],
      payload: { genericObjects: [{ id: `${ISSUER_ID}.${pass.id}` }] },
    });
    // The object went first, in the template's class, carrying everything the card shows.
    const classId = `${ISSUER_ID}.${template.body.id}`;
    expect(google.calls.map((call) => `${call.method} ${call.path}`)).toEqual(
      expect.arrayContaining(['POST /genericClass', 'POST /genericObject']),
    );
    expect(objectOf(pass.id)).toMatchObject({
      classId,
      state: 'ACTIVE',
      cardTitle: { defaultValue: { value: 'Harbour Nights' } },
      header: { defaultValue: { value: 'Ada' } },
      subheader: { defaultValue: { value: 'Ada Lovelace' } },
      hexBackgroundColor: '#1e3a8a',
      logo: { sourceUri: { uri: expect.stringMatching(/\/images\/[0-9a-f]{64}\.png$/) } },
      barcode: {
        type: 'QR_CODE',
        value: (await http(`${tenant.apiUrl}/passes/${pass.id}`, { key: tenant.apiKey })).body
          .signedCode,
        alternateText: pass.code,
      },
      validTimeInterval: { end: { date: '2030-06-01T23:30:00.000Z' } },
      linksModuleData: { uris: [{ uri: 'https://help.example.com', description: 'Help' }] },
    });
    expect(objectOf(pass.id)?.textModulesData).toEqual(
      expect.arrayContaining([
        { id: 'holder', header: 'Holder', body: 'Ada Lovelace' },
        { id: 'field0', header: 'Seat', body: '12A' },
      ]),
    );
    // Saved again: the same object, brought up to date; the access token is the one cached.
    await save(pass.publicUrl);
    expect(google.tokens).toHaveLength(1);
    const wrong = await fetch(saveLink(pass.publicUrl).replace(/token=[^&]+/, 'token=wrong'));
    expect(wrong.status).toBe(404);
  });

  it('follows each change: revoked is INACTIVE, used up COMPLETED, active again ACTIVE', async () => {
    const pass = await tenant.newPass({ name: 'Door guest' });
    await save(pass.publicUrl);
    const state = () => objectOf(pass.id)?.state;
    expect(state()).toBe('ACTIVE');
    const post = (path: string, json?: unknown) =>
      http(`${tenant.apiUrl}${path}`, { key: tenant.apiKey, method: 'POST', json });
    await post(`/passes/${pass.id}/revoke`);
    await expect.poll(state, { timeout: 10_000 }).toBe('INACTIVE');
    await post(`/passes/${pass.id}/activate`);
    await expect.poll(state, { timeout: 10_000 }).toBe('ACTIVE');
    const admitted = await post('/scan', { code: pass.code });
    expect(admitted.body.result).toBe('success');
    await expect.poll(state, { timeout: 10_000 }).toBe('COMPLETED');
  });

  it('carries a template or location edit to every saved pass that wears it', async () => {
    const location = await http(`${tenant.apiUrl}/locations`, {
      key: tenant.apiKey,
      json: { name: 'Harbour hall' },
    });
    const template = await http(`${tenant.apiUrl}/templates`, {
      key: tenant.apiKey,
      json: { name: 'Spring', backgroundColor: '#14532d' },
    });
    const passes = await Promise.all(
      ['One', 'Two', 'Three'].map((name) =>
        tenant.newPass({ name, templateId: template.body.id, locationId: location.body.id }),
      ),
    );
    const other = await tenant.newPass({ name: 'Elsewhere' });
    for (const pass of [...passes, other]) await save(pass.publicUrl);
    const patches = (id: string) =>
      google.calls.filter((call) => call.method === 'PATCH' && call.path.endsWith(`.${id}`));
    const otherPatches = patches(other.id).length;

    await http(`${tenant.apiUrl}/templates/${template.body.id}`, {
      key: tenant.apiKey,
      method: 'PATCH',
      json: { backgroundColor: '#7c2d12' },
    });
    for (const pass of passes) {
      await expect
        .poll(() => objectOf(pass.id)?.hexBackgroundColor, { timeout: 10_000 })
        .toBe('#7c2d12');
    }
    await http(`${tenant.apiUrl}/locations/${location.body.id}`, {
      key: tenant.apiKey,
      method: 'PATCH',
      json: { name: 'Harbour hall, east door' },
    });
    for (const pass of passes) {
      await expect
        .poll(() => objectOf(pass.id)?.textModulesData, { timeout: 10_000 })
        .toContainEqual({ id: 'where', header: 'Where', body: 'Harbour hall, east door' });
    }
    // Both edits have reached every pass wearing them; the pass wearing neither was left alone.
    expect(patches(other.id)).toHaveLength(otherPatches);
  });

  it('retries a Google failure (5xx), and still sends it after a crash', async () => {
    const pass = await tenant.newPass({ name: 'Stormy' });
    await save(pass.publicUrl);
    const id = `${ISSUER_ID}.${pass.id}`;
    const isThis = (call: { method: string; path: string }) =>
      call.method === 'PATCH' && call.path === `/genericObject/${id}`;
    google.answer((call) => (isThis(call) ? 503 : undefined));
    const before = google.calls.filter(isThis).length;
    await http(`${tenant.apiUrl}/passes/${pass.id}/revoke`, { key: tenant.apiKey, method: 'POST' });
    await expect
      .poll(() => google.calls.filter(isThis).length, { timeout: 10_000 })
      .toBe(before + 1);
    expect(objectOf(pass.id)?.state).toBe('ACTIVE');
    await server.kill();
    google.answer(() => undefined);
    server = await start();
    // Retried by the server that came back, from what the database kept (back-off, or lease).
    await expect.poll(() => objectOf(pass.id)?.state, { timeout: 45_000 }).toBe('INACTIVE');
  }, 90_000);

  it('is not offered where Google Wallet is not configured', async () => {
    const plain = await createTenant();
    const pass = await plain.newPass({ name: 'No wallet' });
    const answer = await fetch(saveLink(pass.publicUrl), { redirect: 'manual' });
    expect(answer.status).toBe(404);
    expect(await answer.json()).toEqual({
      error: 'Google Wallet is not configured on this server',
    });
    expect(await (await fetch(pass.publicUrl)).text()).not.toContain('Add to Google Wallet');
  });

  it('stops a start whose service account cannot be read, or is not one, in one line', () => {
    const env = google.env(account.file);
    expect(
      failedStart({ ...env, GOOGLE_WALLET_CREDENTIALS: certificates.file('missing.json') }),
    ).toMatch(/GOOGLE_WALLET_CREDENTIALS .*missing\.json: ENOENT/);
    expect(failedStart({ ...env, GOOGLE_WALLET_CREDENTIALS: certificates.file('ca.pem') })).toMatch(
      /GOOGLE_WALLET_CREDENTIALS: not a service account key/,
    );
    expect(failedStart({ GOOGLE_WALLET_ISSUER_ID: ISSUER_ID })).toMatch(
      /set both GOOGLE_WALLET_ISSUER_ID and GOOGLE_WALLET_CREDENTIALS/,
    );
  });
});
