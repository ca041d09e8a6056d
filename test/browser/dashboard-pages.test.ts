import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasChromium } from '../support/browser';
import {
  accessibilityProblems,
  go,
  layoutProblems,
  readQr,
  screenshot,
  useDashboardPages,
} from '../support/dashboard-pages';
import { startReceiver } from '../support/receiver';
import { createTenant, http, importGuests } from '../support/tenant';

// The dashboard's pages in Chromium against the real server: passes, the overview, the live
// feed, doors, keys, webhooks, CSV, clients, and axe-core and the phone layout on every page.
const pages = useDashboardPages();
const { signedIn } = pages;

describe.skipIf(!hasChromium())('the dashboard: its pages', () => {
  it('creates a pass (names with HTML stay text), lists it, and keeps what was typed on an error', async () => {
    const { page, context } = await signedIn(pages.tenant);
    await go(page, '/passes/new', 'New pass');
    // A stray click makes no pass nothing could find again.
    const before = (await pages.tenant.counts()).passes;
    await page.getByRole('button', { name: 'Create pass' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe("Give the holder's name or a client, so the pass can be found again");
    expect((await pages.tenant.counts()).passes).toBe(before);
    await page.getByLabel("Holder's name").fill('Ana <b>Lima</b>');
    await page.getByLabel('Client').fill('Acme <script>alert(1)</script>');
    await page.getByLabel('Valid from').fill('2030-01-02T10:00');
    await page.getByLabel('Valid until').fill('2030-01-01T10:00');
    await page.getByRole('button', { name: 'Add a field' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Seat');
    await page.getByLabel('Value').fill('B12');
    await page.getByRole('button', { name: 'Create pass' }).click();
    // In the form's words, at the top and by the field: the API's own says validFrom.
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('Valid from must not be after Valid until');
    expect(await page.locator('#pass-from-error').textContent()).toBe(
      'Valid from must not be after Valid until',
    );
    expect(await page.getByLabel("Holder's name").inputValue()).toBe('Ana <b>Lima</b>');
    expect(await page.getByLabel('Value').inputValue()).toBe('B12');
    await page.getByLabel('Valid until').fill('2030-01-03T10:00');
    await page.getByRole('button', { name: 'Create pass' }).click();
    await page.getByRole('heading', { level: 1, name: /^Pass / }).waitFor();
    await expect.poll(() => page.locator('dd').first().textContent()).toBe('Ana <b>Lima</b>');
    expect(await page.locator('b').count()).toBe(0);
    await go(page, '/passes', 'Passes');
    await page.getByLabel('Search').fill('Lima');
    await expect
      .poll(() => page.locator('tbody tr').first().locator('td').nth(1).textContent())
      .toBe('Ana <b>Lima</b>');
    await expect.poll(() => page.locator('.count').textContent()).toBe('1 pass');
    // The search is in the address: a reload keeps it, and leaving the page drops it.
    expect(new URL(page.url()).searchParams.get('search')).toBe('Lima');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Passes' }).waitFor();
    expect(await page.getByLabel('Search').inputValue()).toBe('Lima');
    await expect.poll(() => page.locator('.count').textContent()).toBe('1 pass');
    await page
      .getByRole('navigation', { name: 'Dashboard' })
      .getByRole('link', { name: 'Clients' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Clients' }).waitFor();
    expect(new URL(page.url()).search).toBe('');
    expect(await page.getByLabel('Search').inputValue()).toBe('');
    await context.close();
  });

  it("pages on by the list's keyset place, and by number where it has none", async () => {
    const own = await createTenant();
    for (let i = 1; i <= 27; i++) await own.newPass({ name: `Guest ${i}` });
    const { page, context } = await signedIn(own);
    await go(page, '/passes', 'Passes');
    await expect.poll(() => page.locator('.count').textContent()).toBe('27 passes');
    const firstName = () => page.locator('tbody tr').first().locator('td').nth(1).textContent();
    await expect.poll(firstName).toBe('Guest 27');
    const asked = page.waitForRequest((req) => req.url().includes('/api/v1/passes?'));
    await page.getByRole('button', { name: 'Next' }).click();
    // The page after the first one's last pass, not an offset.
    expect(new URL((await asked).url()).searchParams.get('cursor')).toMatch(/^k1\.pass_/);
    await expect.poll(firstName).toBe('Guest 2');
    expect(await page.locator('tbody tr').count()).toBe(2);
    expect(await page.locator('.pager span').textContent()).toBe('Page 2 of 2');
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous' }).click();
    await expect.poll(firstName).toBe('Guest 27');
    expect(new URL(page.url()).search).toBe('');
    // Reached by the address alone, page 2 goes by number, and shows the same.
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(firstName).toBe('Guest 2');
    await page.reload();
    await expect.poll(firstName).toBe('Guest 2');
    expect(await page.locator('.pager span').textContent()).toBe('Page 2 of 2');
    await context.close();
  });

  it('says "about" where the count is an estimate, and still pages on', async () => {
    const own = await createTenant();
    await importGuests(own, 10_000);
    await own.newPass({ name: 'Guest 10001' });
    const { page, context } = await signedIn(own);
    await go(page, '/passes', 'Passes');
    // Past 10,000 the server counts no further and estimates (X-Total-Count-Estimated).
    await expect.poll(() => page.locator('.count').textContent()).toMatch(/^about [\d,]+ passes$/);
    const about = Number((await page.locator('.count').textContent())?.replace(/\D/g, ''));
    expect(about).toBeGreaterThanOrEqual(10_001);
    expect(await page.locator('.pager span').textContent()).toMatch(/^Page 1 of about [\d,]+$/);
    const names = () => page.locator('tbody tr td:nth-child(2)').allTextContents();
    const first = await names();
    expect(first[0]).toBe('Guest 10001');
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(async () => (await names())[0]).not.toBe('Guest 10001');
    const second = await names();
    expect(second).toHaveLength(25);
    expect(second.filter((name) => first.includes(name))).toEqual([]);
    await context.close();
  });

  it("the overview counts today's scans per door, and follows new ones without a reload", async () => {
    const own = await createTenant();
    const { page, context } = await signedIn(own);
    const admits = page.getByTestId('admits-total');
    await expect.poll(() => admits.textContent()).toBe('0');
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('Live');
    const pass = await own.newPass({ type: 'multi' });
    for (let i = 0; i < 2; i++) {
      await http(`${own.apiUrl}/scan`, { key: own.apiKey, json: { code: pass.code } });
    }
    await expect.poll(() => admits.textContent(), { timeout: 5_000 }).toBe('2');
    const row = page.locator('tbody tr', { hasText: 'API and dashboard' });
    expect(await row.locator('td').first().textContent()).toBe('2');
    expect(await page.locator('figcaption').textContent()).toMatch(/\(2 in all\)/);
    // Two admits make a chart whose axis counts whole admits only.
    const ticks = await page.locator('.uplot').getAttribute('data-ticks');
    expect(ticks?.split(' ').length).toBeGreaterThan(1);
    for (const tick of ticks?.split(' ') ?? []) expect(tick).toMatch(/^\d+$/);
    await context.close();
  });

  it('revoking a pass, then a scan through the API, shows in the live feed within 2 seconds', async () => {
    const { page, context } = await signedIn(pages.tenant, { role: 'staff' });
    const pass = await pages.tenant.newPass({ name: 'Revoked Guest' });
    await go(page, `/passes/${pass.id}`, /^Pass /);
    await page.getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => page.locator('.page-head .status').textContent()).toBe('revoked');
    await go(page, '/scans', 'Scans');
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('Live');
    const scanned = await http(`${pages.tenant.apiUrl}/scan`, {
      key: pages.tenant.apiKey,
      json: { code: pass.code },
    });
    expect(scanned.body.result).toBe('revoked');
    const row = page.locator('tbody tr', { hasText: pass.code });
    await expect.poll(() => row.count(), { timeout: 2_000, interval: 50 }).toBe(1);
    expect(await row.locator('.status').textContent()).toBe('revoked');
    expect(await row.textContent()).toContain('Revoked Guest');
    await context.close();
  });

  it('pairs a door: the QR on screen opens the scanner in another browser', async () => {
    const { page, context } = await signedIn(pages.tenant, { role: 'staff' });
    await go(page, '/doors', 'Doors');
    await page.getByLabel("New door's name").fill('East gate');
    await page.getByRole('button', { name: 'Add and pair' }).click();
    const img = 'img[alt^="Pairing QR code"]';
    await page.locator(img).waitFor();
    const link = await readQr(page, img);
    expect(link).toMatch(/\/scanner\/#pair=[\w-]{32}$/);
    // The test's server names localhost in its links, as a first start on a laptop does: a
    // phone could not open this one, and the page says so and what to do.
    expect(link).toMatch(/^http:\/\/localhost:/);
    expect(await page.locator('.shown-once .warning').textContent()).toMatch(
      /^This link names localhost, which on a phone is the phone itself.*"pnpm start --lan"/,
    );
    const phone = await pages.browser.newContext({ viewport: { width: 390, height: 844 } });
    const scanner = await phone.newPage();
    await scanner.goto(link);
    await expect
      .poll(() => scanner.locator('#door-status').textContent(), { timeout: 20_000 })
      .toMatch(/^Online · 0 waiting · list from /);
    await go(page, '/passes', 'Passes');
    await go(page, '/doors', 'Doors');
    const door = page.locator('tbody tr', { hasText: 'East gate' });
    // Where it stands, last seen, last sync, and the uploads waiting on it, as the phone said.
    expect(await door.getByLabel('Where East gate stands').inputValue()).toBe('');
    await expect.poll(() => door.locator('td').nth(1).textContent()).not.toBe('—');
    await expect.poll(() => door.locator('td').nth(2).textContent()).not.toBe('—');
    expect(await door.locator('td').nth(3).textContent()).toBe('0');
    await phone.close();
    await context.close();
  });

  it('creates an API key shown once, which then works with fetch', async () => {
    const { page, context } = await signedIn(pages.tenant);
    await go(page, '/keys', 'API keys');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.locator('.shown-once code').textContent()) ?? '';
    expect(key).toMatch(/^2pk_/);
    const me = await fetch(`${pages.tenant.apiUrl}/me`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { role: string }).role).toBe('admin');
    await expect.poll(() => page.locator('tbody').textContent()).toContain(key.slice(0, 12));
    await context.close();
  });

  it('subscribes a webhook to a real receiver and shows its delivery log', async () => {
    const receiver = await startReceiver();
    const { page, context } = await signedIn(pages.tenant);
    await go(page, '/webhooks', 'Webhooks');
    await page.getByLabel('Event').selectOption('pass.created');
    await page.getByLabel('Target URL (https://)').fill(receiver.url);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    expect(await page.locator('.shown-once code').textContent()).toMatch(/^whsec_/);
    const pass = await pages.tenant.newPass({ name: 'Hooked' });
    await receiver.waitFor((hooks) => hooks.some((h) => h.json.data.code === pass.code));
    /** The delivery log, refreshed until it shows what `shown` matches. */
    const logShows = (shown: RegExp) =>
      expect
        .poll(
          async () => {
            await page.getByRole('button', { name: 'Refresh' }).click();
            return page.locator('section[aria-label^="Deliveries"] tbody').textContent();
          },
          { timeout: 10_000 },
        )
        .toMatch(shown);
    await logShows(/pass\.created.*delivered200/);
    // The form says how a receiver on this machine can be tried; a test event shows in the log.
    expect(await page.locator('#hook-url-hint').textContent()).toContain('WEBHOOK_ALLOW_PRIVATE=1');
    await page.getByRole('button', { name: 'Send test event' }).click();
    await receiver.waitFor((hooks) => hooks.some((h) => h.json.event === 'webhook.test'));
    await logShows(/webhook\.test.*delivered200/);
    await receiver.close();
    await context.close();
  });

  it('imports a CSV all or nothing, and exports it with formulas made inert', async () => {
    const own = await createTenant();
    const { page, context } = await signedIn(own);
    await go(page, '/passes', 'Passes');
    const upload = (name: string, text: string) =>
      page
        .getByLabel('CSV file')
        .setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
    await upload(
      'broken.csv',
      'type,name,validUntil\nsingle,Fine,\nsingle,Bad,not a date\ntriple,Worse,\n',
    );
    await expect
      .poll(() => page.locator('.import [role="alert"]').textContent())
      .toMatch(/Row 3: validUntil/);
    expect(await page.locator('.import [role="alert"]').textContent()).toMatch(/Row 4: type/);
    expect(await page.locator('.import [role="alert"]').textContent()).toMatch(
      /^broken\.csv: 2 rows cannot be imported/,
    );
    expect(await page.getByRole('button', { name: /^Import/ }).count()).toBe(0);
    expect((await own.counts()).passes).toBe(0);
    await upload('one-bad.csv', 'type,name\nsingle,Fine\ntriple,Worse\n');
    await expect
      .poll(() => page.locator('.import [role="alert"]').textContent())
      .toMatch(/^one-bad\.csv: 1 row cannot be imported/);

    await upload(
      'guests.csv',
      "type,name,public:Seat\nsingle,=cmd|' /C calc'!A0,B1\nmulti,@Bo <i>Chen</i>,B2\n",
    );
    await page.getByRole('button', { name: 'Import 2 passes' }).click();
    await expect
      .poll(() => page.locator('.import [role="status"]').textContent())
      .toBe('Imported 2 passes from guests.csv.');
    await expect.poll(() => page.locator('.count').textContent()).toBe('2 passes');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    const csv = readFileSync((await download.path()) as string, 'utf8');
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe(
      'code,type,status,name,note,clientName,clientEmail,usagesCount,maxUsages,validFrom,validUntil,createdAt,publicUrl,signedCode,public:Seat',
    );
    expect(lines).toHaveLength(3);
    expect(csv).toContain(",single,active,'=cmd|' /C calc'!A0,");
    expect(csv).toContain(",multi,active,'@Bo <i>Chen</i>,");
    // Rows imported together keep the file's order, newest first: the first row leads.
    expect(lines.map((line) => line.split(',').at(-1))).toEqual(['public:Seat', 'B1', 'B2']);
    await context.close();
  });

  it('says on an empty page what would fill it, and adds and changes a client by hand', async () => {
    const own = await createTenant();
    const { page, context } = await signedIn(own);
    await go(page, '/clients', 'Clients');
    await expect
      .poll(() => page.locator('main .empty').textContent())
      .toMatch(/^No clients yet\. A client is added when a pass names one/);
    expect(await page.locator('main table').count()).toBe(0);
    // A client added by hand, then set right.
    await page.getByText('Add a client').click();
    await page.getByLabel('Name').fill('Ana Lma');
    await page.getByLabel('Email').fill('ana@example.com');
    await page.getByRole('button', { name: 'Add client' }).click();
    await page.getByRole('heading', { level: 1, name: 'Ana Lma' }).waitFor();
    await page.getByRole('button', { name: 'Edit Ana Lma' }).click();
    await page.getByLabel('Name').fill('Ana Lima');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { level: 1, name: 'Ana Lima' }).waitFor();
    expect(await page.locator('.facts').textContent()).toContain('ana@example.com');
    // The name again, typed otherwise: refused, naming the client that has it.
    await go(page, '/clients', 'Clients');
    await page.getByText('Add a client').click();
    await page.getByLabel('Name').fill('ANA LIMA');
    await page.getByRole('button', { name: 'Add client' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toMatch(/^A client named "Ana Lima" \(cli_\w+\) exists already/);
    // The same person, made twice: merged, and the pass follows.
    const twin = await own.newPass({ name: 'Second ticket', clientName: 'A. Lima' });
    const twinRead = await http(`${own.apiUrl}/passes/${twin.id}`, { key: own.apiKey });
    await go(page, `/clients/${twinRead.body.client.id}`, 'A. Lima');
    await page.getByText('Merge into another client').click();
    await page.getByLabel('The client to keep (name, email or phone)').fill('ana@');
    await page.getByRole('button', { name: 'Merge A. Lima into Ana Lima' }).click();
    await page.getByRole('heading', { level: 1, name: 'Ana Lima' }).waitFor();
    await expect
      .poll(() => page.locator('main > ul.plain').textContent(), { timeout: 10_000 })
      .toContain('Second ticket');
    // A page of another client starts afresh: the merge box of the one merged is not left open.
    expect(await page.locator('details.merge').getAttribute('open')).toBeNull();
    await go(page, '/webhooks', 'Webhooks');
    await expect
      .poll(() => page.locator('main .empty').textContent())
      .toMatch(/^No subscriptions yet\./);
    await context.close();
  });

  it('keeps locations, and shows who is inside as scans come, without a reload', async () => {
    const own = await createTenant();
    const { page, context } = await signedIn(own);
    await go(page, '/locations', 'Locations');
    await expect.poll(() => page.locator('main .empty').textContent()).toMatch(/^No locations yet/);
    await page.getByText('Add a location').click();
    await page.getByLabel('Name').fill('Main hall');
    await page.getByLabel('Capacity').fill('100');
    await page.getByLabel('Time zone').fill('Mars/Base');
    await page.getByRole('button', { name: 'Add location' }).click();
    // The server's word for the field, in the form's.
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toBe('Time zone must be an IANA time zone such as "Europe/Lisbon"');
    await page.getByLabel('Time zone').fill('Europe/Lisbon');
    await page.getByRole('button', { name: 'Add location' }).click();
    const occupancy = page.locator('[data-testid="occupancy"]');
    await expect.poll(() => occupancy.textContent()).toBe('0 of 100 inside');
    const [hall] = (await http(`${own.apiUrl}/locations`, { key: own.apiKey })).body;
    expect(hall).toMatchObject({ name: 'Main hall', timezone: 'Europe/Lisbon', capacity: 100 });
    const guest = await own.newPass({ name: 'Guest', locationId: hall.id });
    const scan = (direction: string) =>
      http(`${own.apiUrl}/scan`, {
        key: own.apiKey,
        json: { code: guest.code, direction, locationId: hall.id },
      });
    await scan('entry');
    await expect.poll(() => occupancy.textContent(), { timeout: 10_000 }).toBe('1 of 100 inside');
    await go(page, '/', 'Today');
    const inside = page.locator('[aria-label="Inside now"] li');
    await expect.poll(() => inside.textContent()).toBe('Main hall 1 of 100 inside');
    await scan('exit');
    await expect
      .poll(() => inside.textContent(), { timeout: 10_000 })
      .toBe('Main hall 0 of 100 inside');
    // A new pass, and a door, are put at the location by its name.
    await go(page, '/passes/new', 'New pass');
    await page.getByLabel("Holder's name").fill('Hall guest');
    await page.getByLabel('Location').selectOption({ label: 'Main hall' });
    await page.getByRole('button', { name: 'Create pass' }).click();
    await page.getByRole('heading', { level: 1, name: /^Pass / }).waitFor();
    const [made] = (await http(`${own.apiUrl}/passes?search=Hall guest`, { key: own.apiKey })).body;
    const read = await http(`${own.apiUrl}/passes/${made.id}`, { key: own.apiKey });
    expect(read.body.locationId).toBe(hall.id);
    await go(page, '/doors', 'Doors');
    await page.getByLabel("New door's name").fill('Hall door');
    await page.getByLabel('Where it stands').selectOption({ label: 'Main hall' });
    await page.getByRole('button', { name: 'Add and pair' }).click();
    const doors = async () => (await http(`${own.apiUrl}/devices`, { key: own.apiKey })).body;
    await expect.poll(async () => (await doors())[0]?.locationId).toBe(hall.id);
    await context.close();
  });

  it('every page passes axe-core (no serious or critical violation), and holds its layout on a phone (360 and 390 px)', async () => {
    const own = await createTenant();
    const pass = await own.newPass({ name: 'Axe Guest', clientName: 'Axe Client' });
    await http(`${own.apiUrl}/scan`, { key: own.apiKey, json: { code: pass.code } });
    const client = (await http(`${own.apiUrl}/clients`, { key: own.apiKey })).body[0];
    await http(`${own.apiUrl}/devices`, { key: own.apiKey, json: { name: 'Main door' } });
    await http(`${own.apiUrl}/locations`, {
      key: own.apiKey,
      json: { name: 'Axe hall', address: 'Dock 4', capacity: 10, reentry: true },
    });
    const pages: [string, string | RegExp, string][] = [
      ['/', 'Today', 'overview'],
      ['/passes', 'Passes', 'passes'],
      ['/passes/new', 'New pass', 'pass-new'],
      [`/passes/${pass.id}`, /^Pass /, 'pass'],
      ['/clients', 'Clients', 'clients'],
      [`/clients/${client.id}`, 'Axe Client', 'client'],
      ['/scans', 'Scans', 'scans'],
      ['/doors', 'Doors', 'doors'],
      ['/keys', 'API keys', 'keys'],
      ['/webhooks', 'Webhooks', 'webhooks'],
      ['/locations', 'Locations', 'locations'],
      ['/users', 'Users', 'users'],
      ['/account', 'Account', 'account'],
    ];
    for (const width of [1280, 390, 360]) {
      const { page, context } = await signedIn(own, { width });
      const problems: string[] = [];
      const check = async (where: string) => {
        const found = [
          ...(await accessibilityProblems(page)),
          ...(width < 500 ? await layoutProblems(page) : []),
        ];
        for (const problem of found) problems.push(`${where} @${width}: ${problem}`);
      };
      for (const [route, heading, name] of pages) {
        await go(page, route, heading);
        await page.waitForLoadState('networkidle').catch(() => {});
        await check(route);
        if (width !== 360) await screenshot(page, width === 390 ? `${name}-phone` : name);
      }
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to Passgate' }).waitFor();
      await check('sign-in');
      if (width !== 360) await screenshot(page, width === 390 ? 'sign-in-phone' : 'sign-in');
      expect(problems).toEqual([]);
      await context.close();
    }
  });
});
