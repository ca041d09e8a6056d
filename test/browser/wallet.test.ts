import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeWalletCertificates, PASS_TYPE_ID, startFakeApns } from '../support/apple-wallet';
import { hasChromium } from '../support/browser';
import { go, readQr, useDashboardPages } from '../support/dashboard-pages';
import { createFreshDatabase, type FreshDatabase } from '../support/database';
import { makeServiceAccount, startFakeGoogle } from '../support/google-wallet';
import { newDataDir, type RunningServer, startServer } from '../support/server';
import { createTenant, http, type TestTenant } from '../support/tenant';

// The wallet buttons as a holder meets them in Chromium: both shown where both wallets are
// configured, each doing what it says (a .pkpass download; Google's save page), none where
// neither is; and the dashboard's count of the wallets holding the pass. The server has a
// database of its own, so that its wallet outboxes never take another file's updates.

const pages = useDashboardPages();
const certificates = makeWalletCertificates();
const account = makeServiceAccount(certificates);
let apns: Awaited<ReturnType<typeof startFakeApns>>;
let google: Awaited<ReturnType<typeof startFakeGoogle>>;
let fresh: FreshDatabase | undefined;
let server: RunningServer;
let tenant: TestTenant;

beforeAll(async () => {
  apns = await startFakeApns(certificates);
  google = await startFakeGoogle(certificates, account.publicKey);
  const databaseUrl = inject('databaseUrl');
  fresh = databaseUrl ? await createFreshDatabase(databaseUrl, 'passgate_wallet') : undefined;
  server = await startServer({
    dataDir: newDataDir(),
    ...(fresh ? { databaseUrl: fresh.url } : {}),
    env: { ...certificates.env(apns.url), ...google.env(account.file) },
  });
  tenant = await createTenant({ server });
});
afterAll(async () => {
  await server?.stop();
  await fresh?.drop();
  await apns?.close();
  await google?.close();
});

describe.skipIf(!hasChromium())('the wallet buttons in Chromium', () => {
  it('add the pass to Apple Wallet and Google Wallet, and the dashboard counts both', async () => {
    const pass = await tenant.newPass({ name: 'Wallet guest' });
    const context = await pages.browser.newContext({
      ignoreHTTPSErrors: true,
      acceptDownloads: true,
    });
    const page = await context.newPage();
    await page.goto(pass.publicUrl);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Add to Apple Wallet' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${pass.code}.pkpass`);
    const pkpass = await fetch(await download.url()).then((answer) => answer.arrayBuffer());
    const token = /"authenticationToken":"([\w-]+)"/.exec(Buffer.from(pkpass).toString('latin1'));
    if (!token) throw new Error('no authenticationToken in the .pkpass');
    // A phone holding it registers, as Wallet does once the pass is added.
    const registered = await fetch(
      `${server.url}/wallet/apple/v1/devices/phone-1/registrations/${PASS_TYPE_ID}/${pass.id}`,
      {
        method: 'POST',
        headers: { authorization: `ApplePass ${token[1]}`, 'content-type': 'application/json' },
        body: JSON.stringify({ pushToken: 'browser-token' }),
      },
    );
    expect(registered.status).toBe(201);

    await page.getByRole('link', { name: 'Add to Google Wallet' }).click();
    await page.getByRole('heading', { name: 'Saved to Google Wallet' }).waitFor();
    expect(page.url()).toMatch(new RegExp(`^${google.url}/save/[\\w-]+\\.[\\w-]+\\.[\\w-]+$`));
    await context.close();

    const { page: dashboard, context: signedIn } = await pages.signedIn(tenant);
    await go(dashboard, `/passes/${pass.id}`, `Pass ${pass.code}`);
    // Its QR is the holder's: the signed code.
    const { signedCode } = (
      await http(`${tenant.apiUrl}/passes/${pass.id}`, { key: tenant.apiKey })
    ).body;
    expect(await readQr(dashboard, 'img.qr')).toBe(signedCode);
    await expect
      .poll(() => dashboard.locator('.dl-row', { hasText: 'Wallets' }).locator('dd').textContent())
      .toBe('On 1 phone in Apple Wallet · saved to Google Wallet');
    await signedIn.close();
  });

  it('are not on the page of a server where no wallet is configured', async () => {
    const pass = await pages.tenant.newPass({ name: 'No wallet guest' });
    const context = await pages.browser.newContext();
    const page = await context.newPage();
    await page.goto(pass.publicUrl);
    await page.locator('.card').waitFor();
    expect(await page.getByRole('link', { name: /^Add to/ }).count()).toBe(0);
    await context.close();
    const wallets = await http(`${pages.tenant.apiUrl}/passes/${pass.id}/wallets`, {
      key: pages.tenant.apiKey,
    });
    expect(wallets.body).toEqual({
      apple: { configured: false, phones: 0 },
      google: { configured: false, saved: false },
    });
  });
});
