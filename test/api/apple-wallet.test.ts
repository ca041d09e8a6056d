import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeWalletCertificates, PASS_TYPE_ID, startFakeApns } from '../support/apple-wallet';
import { failedStart } from '../support/failed-start';
import { solidPng } from '../support/png';
import { newDataDir, type RunningServer, startServer } from '../support/server';
import { createTenant, http, type TestTenant } from '../support/tenant';

// The holder's pass in Apple Wallet: a `.pkpass` signed with a pass certificate from a CA made
// here (standing in for Apple's WWDR), unzipped and checked file by file, its signature verified
// by openssl against that CA.

const certificates = makeWalletCertificates();
const { dir, file, openssl } = certificates;
/** Apple Wallet on, its pushes to a fake APNs: nothing in a test reaches Apple. */
const walletEnv = () => certificates.env(apns.url);

// One server with Apple Wallet for the file: the outbox of pushes is shared by every server on
// a database, so a second one with another APNs would send some of these pushes elsewhere.
let apns: Awaited<ReturnType<typeof startFakeApns>>;
let server: RunningServer;
let tenant: TestTenant;
const dataDir = newDataDir();
const databaseUrl = inject('databaseUrl');
const start = () =>
  startServer({ dataDir, ...(databaseUrl ? { databaseUrl } : {}), env: walletEnv() });

beforeAll(async () => {
  apns = await startFakeApns(certificates);
  server = await start();
  tenant = await createTenant({ server });
});
afterAll(async () => {
  await server?.stop();
  await apns?.close();
});

/** The `.pkpass` unzipped: each file's bytes by name. */
function unzipped(bytes: Buffer) {
  const into = mkdtempSync(path.join(dir, 'pkpass-'));
  writeFileSync(path.join(into, 'pass.pkpass'), bytes);
  execFileSync('unzip', ['-q', 'pass.pkpass', '-d', 'files'], { cwd: into });
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(path.join(into, 'files'))) {
    files.set(name, readFileSync(path.join(into, 'files', name)));
  }
  return { files, at: path.join(into, 'files') };
}

describe('the Apple Wallet pass', () => {
  it('is a signed .pkpass: every file in the manifest, the signature verified, pass.json as the pass says', async () => {
    const logo = await solidPng(480, 150, '#facc15');
    const location = await http(`${tenant.apiUrl}/locations`, {
      key: tenant.apiKey,
      json: { name: 'Harbour hall', latitude: 38.7, longitude: -9.14 },
    });
    const template = await http(`${tenant.apiUrl}/templates`, {
      key: tenant.apiKey,
      json: {
        name: 'Gala',
        organizationName: 'Harbour Nights',
        backgroundColor: '#1e3a8a',
        foregroundColor: '#ffffff',
        logo: logo.toString('base64'),
      },
    });
    const pass = await tenant.newPass({
      type: 'multi',
      maxUsages: 5,
      name: 'Ada',
      clientName: 'Ada Lovelace',
      validUntil: '2030-06-01T23:30:00Z',
      templateId: template.body.id,
      locationId: location.body.id,
      customFields: [{ key: 'Seat', value: '12A', isPublic: true }],
    });
    const url = pass.publicUrl.replace(/\?token=/, '/wallet.pkpass?token=');
    const answer = await fetch(url);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/vnd.apple.pkpass');
    const { files, at } = unzipped(Buffer.from(await answer.arrayBuffer()));
    expect([...files.keys()].sort()).toEqual(
      [
        'icon.png',
        'icon@2x.png',
        'icon@3x.png',
        'logo.png',
        'logo@2x.png',
        'logo@3x.png',
        'manifest.json',
        'pass.json',
        'signature',
      ].sort(),
    );
    const manifest = JSON.parse(files.get('manifest.json')!.toString()) as Record<string, string>;
    expect(Object.keys(manifest).sort()).toEqual(
      [...files.keys()].filter((name) => name !== 'manifest.json' && name !== 'signature').sort(),
    );
    for (const [name, sha1] of Object.entries(manifest)) {
      expect(createHash('sha1').update(files.get(name)!).digest('hex'), name).toBe(sha1);
    }
    // A detached PKCS#7 signature of the manifest, by the pass certificate, with the signing time.
    openssl(
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      path.join(at, 'signature'),
      '-content',
      path.join(at, 'manifest.json'),
      '-CAfile',
      file('ca.pem'),
      '-purpose',
      'any',
      '-out',
      path.join(at, 'verified'),
    );
    const printed = openssl(
      'cms',
      '-cmsout',
      '-print',
      '-inform',
      'DER',
      '-in',
      path.join(at, 'signature'),
    );
    expect(printed).toMatch(/signingTime/);
    expect(printed).toMatch(/Test WWDR/);

    const json = JSON.parse(files.get('pass.json')!.toString());
    expect(json).toMatchObject({
      formatVersion: 1,
      passTypeIdentifier: PASS_TYPE_ID,
      teamIdentifier: 'ABCDE12345',
      serialNumber: pass.id,
      organizationName: 'Harbour Nights',
      backgroundColor: 'rgb(30, 58, 138)',
      foregroundColor: 'rgb(255, 255, 255)',
      webServiceURL: `${server.url.replace('127.0.0.1', 'localhost')}/wallet/apple`,
      authenticationToken: expect.stringMatching(/^[\w-]{32,}$/),
      // The QR of the holder's page: the signed code, the plain one beneath it.
      barcodes: [
        {
          format: 'PKBarcodeFormatQR',
          message: (await http(`${tenant.apiUrl}/passes/${pass.id}`, { key: tenant.apiKey })).body
            .signedCode,
          altText: pass.code,
        },
      ],
      expirationDate: '2030-06-01T23:30:00.000Z',
      locations: [
        { latitude: 38.7, longitude: -9.14, relevantText: expect.stringContaining('Harbour hall') },
      ],
    });
    expect(json.voided).toBeUndefined();
    expect(json.eventTicket.primaryFields).toEqual([{ key: 'name', label: 'Name', value: 'Ada' }]);
    expect(json.eventTicket.secondaryFields).toEqual([
      { key: 'holder', label: 'Holder', value: 'Ada Lovelace' },
      expect.objectContaining({ key: 'validUntil', changeMessage: 'Now valid until %@' }),
    ]);
    expect(json.eventTicket.auxiliaryFields).toEqual([
      expect.objectContaining({ key: 'uses', value: '5 of 5' }),
      expect.objectContaining({ key: 'where', value: 'Harbour hall' }),
    ]);
    expect(json.eventTicket.backFields).toEqual(
      expect.arrayContaining([{ key: 'field0', label: 'Seat', value: '12A' }]),
    );

    // Revoked: the Wallet copy is void. A wrong token opens nothing.
    await http(`${tenant.apiUrl}/passes/${pass.id}/revoke`, { key: tenant.apiKey, method: 'POST' });
    const voided = unzipped(Buffer.from(await (await fetch(url)).arrayBuffer()));
    expect(JSON.parse(voided.files.get('pass.json')!.toString()).voided).toBe(true);
    const wrong = await fetch(url.replace(/token=[^&]+/, 'token=wrong'));
    expect(wrong.status).toBe(404);
  });

  it('follows the pass on a phone through the Wallet web service, as Apple documents it', async () => {
    const pass = await tenant.newPass({ name: 'Phone guest' });
    const page = await (await fetch(pass.publicUrl)).text();
    const download = pass.publicUrl.replace(/\?token=/, '/wallet.pkpass?token=');
    expect(page).toContain(`href="${new URL(download).pathname}${new URL(download).search}"`);
    const json = JSON.parse(
      unzipped(Buffer.from(await (await fetch(download)).arrayBuffer()))
        .files.get('pass.json')!
        .toString(),
    );
    const service = `${server.url}/wallet/apple/v1`;
    const typeId = PASS_TYPE_ID;
    const auth = { authorization: `ApplePass ${json.authenticationToken}` };
    const register = (token = auth) =>
      fetch(`${service}/devices/phone-1/registrations/${typeId}/${pass.id}`, {
        method: 'POST',
        headers: { ...token, 'content-type': 'application/json' },
        body: JSON.stringify({ pushToken: 'push-token-1' }),
      });
    expect((await register()).status).toBe(201);
    expect((await register()).status).toBe(200);
    expect((await register({ authorization: 'ApplePass wrong' })).status).toBe(401);
    // The dashboard's count of the wallets holding it.
    const wallets = () =>
      http(`${tenant.apiUrl}/passes/${pass.id}/wallets`, { key: tenant.apiKey }).then(
        (answer) => answer.body,
      );
    expect(await wallets()).toEqual({
      apple: { configured: true, phones: 1 },
      google: { configured: false, saved: false },
    });

    const updated = (since?: string) =>
      fetch(
        `${service}/devices/phone-1/registrations/${typeId}${since ? `?passesUpdatedSince=${since}` : ''}`,
      );
    const first = await updated();
    expect(first.status).toBe(200);
    const { serialNumbers, lastUpdated } = (await first.json()) as {
      serialNumbers: string[];
      lastUpdated: string;
    };
    expect(serialNumbers).toEqual([pass.id]);
    expect((await updated(lastUpdated)).status).toBe(204);

    const latest = (headers: Record<string, string> = {}) =>
      fetch(`${service}/passes/${typeId}/${pass.id}`, { headers: { ...auth, ...headers } });
    // Said once the second of the pass's last change is over (HTTP dates hold whole seconds).
    let modified: string | null = null;
    await expect
      .poll(async () => {
        const answer = await latest();
        modified = answer.status === 200 ? answer.headers.get('last-modified') : null;
        return modified;
      })
      .toMatch(/GMT$/);
    if (!modified) throw new Error('no Last-Modified');
    expect((await latest({ 'if-modified-since': modified })).status).toBe(304);

    // Revoked through the API: the phone's next question finds it, and the pass it gets is void.
    await http(`${tenant.apiUrl}/passes/${pass.id}/revoke`, { key: tenant.apiKey, method: 'POST' });
    const after = await updated(lastUpdated);
    expect(((await after.json()) as { serialNumbers: string[] }).serialNumbers).toEqual([pass.id]);
    const voided = await latest({ 'if-modified-since': modified });
    expect(voided.status).toBe(200);
    const voidedJson = unzipped(Buffer.from(await voided.arrayBuffer())).files.get('pass.json')!;
    expect(JSON.parse(voidedJson.toString()).voided).toBe(true);
    expect((await latest({ authorization: 'ApplePass wrong' })).status).toBe(401);

    const unregister = await fetch(
      `${service}/devices/phone-1/registrations/${typeId}/${pass.id}`,
      {
        method: 'DELETE',
        headers: auth,
      },
    );
    expect(unregister.status).toBe(200);
    expect((await updated()).status).toBe(204);
    expect((await wallets()).apple.phones).toBe(0);
    expect((await fetch(`${service}/log`, { method: 'POST', body: '{"logs":["a"]}' })).status).toBe(
      200,
    );
    // The install log: one added, one removed.
    for (const event of ['pass.wallet_added', 'pass.wallet_removed']) {
      const items = await http(`${tenant.apiUrl}/triggers?event=${event}`, { key: tenant.apiKey });
      expect(
        items.body.filter((item: { passId: string }) => item.passId === pass.id),
        event,
      ).toEqual([expect.objectContaining({ passId: pass.id, wallet: 'apple' })]);
    }
  });

  it('is not offered where Apple Wallet is not configured', async () => {
    const plain = await createTenant();
    const pass = await plain.newPass({ name: 'No wallet' });
    const answer = await fetch(pass.publicUrl.replace(/\?token=/, '/wallet.pkpass?token='));
    expect(answer.status).toBe(404);
    expect(await answer.json()).toEqual({ error: 'Apple Wallet is not configured on this server' });
    expect(await (await fetch(pass.publicUrl)).text()).not.toContain('Add to Apple Wallet');
    const service = await fetch(`${plain.server.url}/wallet/apple/v1/log`, { method: 'POST' });
    expect(service.status).toBe(404);
  });

  it('stops a start whose certificate is not its key, or whose file is missing, in one line, at once', () => {
    const dataDir = newDataDir();
    expect(
      failedStart({ ...walletEnv(), APPLE_WALLET_KEY: file('other.key'), DATA_DIR: dataDir }),
    ).toMatch(/APPLE_WALLET_KEY is not the key of the certificate in APPLE_WALLET_CERT/);
    expect(readdirSync(dataDir)).toEqual([]); // found before a database is opened
    expect(failedStart({ ...walletEnv(), APPLE_WALLET_WWDR: file('missing.pem') })).toMatch(
      /APPLE_WALLET_WWDR .*missing\.pem: ENOENT/,
    );
    expect(failedStart({ APPLE_WALLET_PASS_TYPE_ID: PASS_TYPE_ID })).toMatch(
      /APPLE_WALLET_TEAM_ID: Apple Wallet needs it too/,
    );
  });
});

// A change of a pass reaches the phones holding it: one APNs push each, over HTTP/2 with the
// pass certificate, topic the pass type id; through an outbox that a crash does not empty.

/** A pass held in Wallet by a phone whose push token is `pushToken`. */
async function heldPass(pushToken: string) {
  const pass = await tenant.newPass({ name: `Held by ${pushToken}` });
  const url = pass.publicUrl.replace(/\?token=/, '/wallet.pkpass?token=');
  const pkpass = Buffer.from(await (await fetch(url)).arrayBuffer());
  // The token is in pass.json; read it the way Wallet does: from the archive.
  const text = pkpass.toString('latin1');
  const token = /"authenticationToken":"([\w-]+)"/.exec(text)?.[1];
  if (!token) throw new Error('no authenticationToken in the .pkpass');
  const registered = await fetch(
    `${server.url}/wallet/apple/v1/devices/phone-${pushToken}/registrations/${PASS_TYPE_ID}/${pass.id}`,
    {
      method: 'POST',
      headers: { authorization: `ApplePass ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pushToken }),
    },
  );
  expect(registered.status).toBe(201);
  return { pass, token };
}

const pushesTo = (pushToken: string) =>
  apns.pushes.filter((push) => push.path === `/3/device/${pushToken}`);

describe('Apple Wallet pushes', () => {
  it('push each phone once when its pass changes, with the pass certificate and topic', async () => {
    const { pass } = await heldPass('token-a');
    expect(pushesTo('token-a')).toEqual([]);
    await http(`${tenant.apiUrl}/passes/${pass.id}/revoke`, { key: tenant.apiKey, method: 'POST' });
    await expect.poll(() => pushesTo('token-a').length, { timeout: 10_000 }).toBe(1);
    expect(pushesTo('token-a')[0]).toEqual({
      path: '/3/device/token-a',
      topic: PASS_TYPE_ID,
      body: '{"aps":{}}',
      clientCertificate: 'Pass Type ID',
    });
    // A scan that admits it changes what it shows too.
    await http(`${tenant.apiUrl}/passes/${pass.id}/activate`, {
      key: tenant.apiKey,
      method: 'POST',
    });
    await http(`${tenant.apiUrl}/scan`, { key: tenant.apiKey, json: { code: pass.code } });
    await expect
      .poll(() => pushesTo('token-a').length, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(2);
  });

  it('push the phones of every pass wearing a template when it is edited', async () => {
    const template = await http(`${tenant.apiUrl}/templates`, {
      key: tenant.apiKey,
      json: { name: 'Edited look' },
    });
    const held = await heldPass('token-look');
    await http(`${tenant.apiUrl}/passes/${held.pass.id}`, {
      key: tenant.apiKey,
      method: 'PATCH',
      json: { templateId: template.body.id },
    });
    await expect.poll(() => pushesTo('token-look').length, { timeout: 10_000 }).toBe(1);
    const since = await fetch(
      `${server.url}/wallet/apple/v1/devices/phone-token-look/registrations/${PASS_TYPE_ID}`,
    );
    const { lastUpdated } = (await since.json()) as { lastUpdated: string };
    await http(`${tenant.apiUrl}/templates/${template.body.id}`, {
      key: tenant.apiKey,
      method: 'PATCH',
      json: { backgroundColor: '#7c2d12' },
    });
    await expect.poll(() => pushesTo('token-look').length, { timeout: 10_000 }).toBe(2);
    // The phone, asking what changed since, finds the pass; it fetches it in the new colour.
    const changed = await fetch(
      `${server.url}/wallet/apple/v1/devices/phone-token-look/registrations/${PASS_TYPE_ID}?passesUpdatedSince=${lastUpdated}`,
    );
    expect(((await changed.json()) as { serialNumbers: string[] }).serialNumbers).toEqual([
      held.pass.id,
    ]);
    const latest = await fetch(
      `${server.url}/wallet/apple/v1/passes/${PASS_TYPE_ID}/${held.pass.id}`,
      {
        headers: { authorization: `ApplePass ${held.token}` },
      },
    );
    const json = unzipped(Buffer.from(await latest.arrayBuffer())).files.get('pass.json')!;
    expect(JSON.parse(json.toString()).backgroundColor).toBe('rgb(124, 45, 18)');
  });

  it('forget a phone APNs says is gone (410)', async () => {
    const { pass, token } = await heldPass('token-gone');
    apns.answer((pushToken) => (pushToken === 'token-gone' ? 410 : 200));
    await http(`${tenant.apiUrl}/passes/${pass.id}/revoke`, { key: tenant.apiKey, method: 'POST' });
    await expect.poll(() => pushesTo('token-gone').length, { timeout: 10_000 }).toBe(1);
    // Its registration is gone: the phone's list of changed passes is empty.
    await expect
      .poll(
        async () =>
          (
            await fetch(
              `${server.url}/wallet/apple/v1/devices/phone-token-gone/registrations/${PASS_TYPE_ID}`,
            )
          ).status,
      )
      .toBe(204);
    void token;
    apns.answer(() => 200);
  });

  it('still push after a crash between the change and the push', async () => {
    const { pass } = await heldPass('token-crash');
    // APNs refuses for now: the push stays owed.
    apns.answer((pushToken) => (pushToken === 'token-crash' ? 503 : 200));
    await http(`${tenant.apiUrl}/passes/${pass.id}/revoke`, { key: tenant.apiKey, method: 'POST' });
    await expect.poll(() => pushesTo('token-crash').length, { timeout: 10_000 }).toBe(1);
    await server.kill();
    apns.answer(() => 200);
    server = await start();
    // Retried by the server that came back, from what the database kept: after the back-off,
    // or, killed before it wrote the 503 down, once the 30-second lease of its claim is over.
    await expect.poll(() => pushesTo('token-crash').length, { timeout: 45_000 }).toBe(2);
  }, 90_000);
});
