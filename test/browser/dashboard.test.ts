import { afterAll, describe, expect, it } from 'vitest';
import { hasChromium } from '../support/browser';
import { go, PASSWORD, useDashboardPages } from '../support/dashboard-pages';
import { closedPort } from '../support/ports';
import { newDataDir, type RunningServer, startServer } from '../support/server';
import { createTenant, http } from '../support/tenant';
import { inviteToken, inviteUser, uniqueEmail } from '../support/users';

// The dashboard in Chromium against the real server: signing in and out, invitations, sessions,
// what each role sees, what is kept between pages, the keyboard, and the live feed across a
// restart. Its pages' work is in dashboard-pages.test.ts.
const pages = useDashboardPages();
const { signedIn } = pages;

describe.skipIf(!hasChromium())('the dashboard: signing in, sessions and roles', () => {
  it('an invite link sets a password and signs in; signing out and in again works', async () => {
    const { page, context, email } = await signedIn(pages.tenant);
    // The token left the address bar at once.
    expect(page.url()).not.toMatch(/invite=/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Passgate' }).waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Wrong email or password');
    await expect(page.getByLabel('Email').inputValue()).resolves.toBe(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    await context.close();
  });

  it('an invitation survives a reload until used, and the sign-in page says how to get back in', async () => {
    const context = await pages.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const email = uniqueEmail('reload');
    const invite = await inviteUser(pages.tenant, { email, role: 'staff' });
    await page.goto(
      `${pages.tenant.server.url}/dashboard/#invite=${inviteToken(invite.inviteUrl)}`,
    );
    await page.getByLabel('Password', { exact: true }).waitFor();
    expect(page.url()).not.toMatch(/invite=/);
    await page.reload();
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('The same password again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Passgate' }).waitFor();
    // Used: the token is gone from the tab as well.
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.getByText('Forgot your password?').click();
    expect(await page.locator('.forgot').textContent()).toContain(
      'pnpm admin user invite --email you@example.com',
    );
    // This server mails nothing (no SMTP_URL): asking for a link says whom to ask instead.
    await page.getByLabel('Your address, to mail you a link').fill(email);
    await page.getByRole('button', { name: 'Mail me a link' }).click();
    await expect
      .poll(() => page.locator('.forgot [role="alert"]').textContent())
      .toMatch(/^This Passgate sends no email: ask an admin of your organisation/);
    await context.close();
  });

  it('shows a page read before at once and reads it again behind; forgets it all on signing out', async () => {
    const [first, second] = await Promise.all([createTenant(), createTenant()]);
    await first.newPass({ name: 'Remembered guest' });
    await second.newPass({ name: 'Guest of another pages.tenant' });
    const other = await signedIn(second);
    await other.context.close();
    const { page, context } = await signedIn(first);
    const rows = () => page.locator('tbody').textContent();
    await go(page, '/passes', 'Passes');
    await expect.poll(rows).toContain('Remembered guest');
    await go(page, '/clients', 'Clients');

    // Each read of the pass list waits until the test lets it through.
    let release = () => {};
    let reads = 0;
    await page.route(/\/api\/v1\/passes\?/, async (route) => {
      reads += 1;
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      await route.continue();
    });
    await first.newPass({ name: 'Added meanwhile' });
    await go(page, '/passes', 'Passes');
    await expect.poll(() => reads).toBe(1);
    expect(await rows()).toContain('Remembered guest');
    expect(await rows()).not.toContain('Added meanwhile');
    release();
    await expect.poll(rows).toContain('Added meanwhile');

    // Signed out and in as someone of another pages.tenant, in the same page: nothing of the first.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email').fill(other.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Today' }).waitFor();
    await go(page, '/passes', 'Passes');
    await expect.poll(() => reads).toBe(2);
    expect(await page.locator('.count').textContent()).toBe('Loading…');
    expect(await rows()).not.toContain('Remembered guest');
    release();
    await expect.poll(rows).toContain('Guest of another pages.tenant');
    expect(await rows()).not.toContain('Remembered guest');
    await context.close();
  });

  it('staff see no keys, webhooks or users, and the server refuses them too', async () => {
    const { page, context } = await signedIn(pages.tenant, { role: 'staff' });
    const nav = page.getByRole('navigation', { name: 'Dashboard' });
    expect(await nav.textContent()).not.toMatch(/API keys|Webhooks|Users/);
    // Opened by its address all the same, each page says whom to ask, and offers nothing.
    for (const [route, heading] of [
      ['/keys', 'API keys'],
      ['/webhooks', 'Webhooks'],
      ['/users', 'Users'],
    ] as const) {
      await go(page, route, heading);
      expect(await page.locator('main').textContent()).toContain(
        'Only admins of your organisation work here',
      );
      expect(await page.locator('main form, main table, main button').count()).toBe(0);
    }
    const refused = await page.evaluate(async () => {
      const res = await fetch('/api/v1/keys');
      return { status: res.status, body: await res.json() };
    });
    expect(refused).toEqual({ status: 403, body: { error: 'Only admins may list API keys' } });
    await context.close();
  });

  it('a session that ends mid-work sends the person to sign in, and back to the same page', async () => {
    const { page, context, email } = await signedIn(pages.tenant);
    await go(page, '/passes', 'Passes');
    // The page's own requests are answered before the session ends under it.
    await expect.poll(() => page.locator('.count').textContent()).toMatch(/ pass(es)?$/);
    const cookie = (await context.cookies()).find((c) => c.name === 'passgate_session');
    await http(`${pages.tenant.apiUrl}/session`, {
      method: 'DELETE',
      headers: { cookie: `passgate_session=${cookie?.value}`, origin: pages.tenant.server.url },
    });
    await page.getByLabel('Status').selectOption('active');
    await page.getByRole('heading', { name: 'Sign in to Passgate' }).waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Passes' }).waitFor();
    expect(new URL(page.url()).hash).toBe('#/passes');
    await context.close();
  });

  it('works with the keyboard alone: skip link, navigation, a form', async () => {
    const { page, context } = await signedIn(pages.tenant);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await page.getByRole('link', { name: 'Passes' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Passes' }).waitFor();
    await page.getByRole('link', { name: 'New pass' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'New pass' }).waitFor();
    await page.getByLabel("Holder's name").focus();
    await page.keyboard.type('Keyboard Guest');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: /^Pass / }).waitFor();
    await context.close();
  });
});

describe.skipIf(!hasChromium())(
  'the live feed across a server restart (a server of its own)',
  () => {
    let server: RunningServer | undefined;
    afterAll(() => server?.stop());

    it('reconnects by itself and misses no scan', async () => {
      const dataDir = newDataDir();
      const port = await closedPort();
      server = await startServer({ dataDir, env: { PORT: String(port) } });
      const own = await createTenant({ server });
      const { page, context } = await signedIn(own);
      await go(page, '/scans', 'Scans');
      await expect.poll(() => page.getByRole('status').first().textContent()).toBe('Live');
      const pass = await own.newPass({ type: 'multi' });
      const scan = () => http(`${own.apiUrl}/scan`, { key: own.apiKey, json: { code: pass.code } });
      const before = await scan();
      await expect.poll(() => page.locator('tbody').textContent()).toContain(pass.code);
      expect(await server.stop()).toBe(0);
      await expect.poll(() => page.getByRole('status').first().textContent()).toBe('Reconnecting…');
      server = await startServer({ dataDir, env: { PORT: String(port) } });
      const after = [await scan(), await scan()];
      await expect.poll(() => page.locator('tbody tr').count(), { timeout: 15_000 }).toBe(3);
      expect(before.status).toBe(200);
      for (const answer of after) expect(answer.status).toBe(200);
      await context.close();
    });
  },
);
