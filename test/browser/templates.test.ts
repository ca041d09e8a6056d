import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasChromium } from '../support/browser';
import { go, useDashboardPages } from '../support/dashboard-pages';
import { solidPng } from '../support/png';
import { http } from '../support/tenant';

// Templates in Chromium: the dashboard's preview follows the form as it is filled in, a pass
// made in the template by name, and the holder's page wearing it.
const pages = useDashboardPages();

describe.skipIf(!hasChromium())('templates in the dashboard', () => {
  it('previews the card as the form changes, and dresses a pass and its page in it', async () => {
    const { page, context } = await pages.signedIn(pages.tenant);
    const logo = path.join(tmpdir(), `passgate-logo-${Date.now()}.png`);
    writeFileSync(logo, await solidPng(320, 100, '#facc15'));
    await go(page, '/templates', 'Templates');
    await page.getByText('Add a template').click();
    const form = page.locator('#new-template-name').locator('xpath=ancestor::form');
    const preview = page.getByRole('figure', { name: /^Preview of / }).first();
    await form.getByLabel('Name', { exact: true }).fill('Night gala');
    await expect.poll(() => preview.getAttribute('aria-label')).toBe('Preview of Night gala');
    await form.getByLabel('Organisation').fill('Harbour Nights');
    await form.getByLabel('Background').fill('#1e3a8a');
    await expect
      .poll(() => preview.evaluate((el) => getComputedStyle(el).backgroundColor))
      .toBe('rgb(30, 58, 138)');
    await expect.poll(() => preview.textContent()).toContain('Harbour Nights');
    // The holder moves from the second row to the top: the preview follows.
    await form.getByLabel('Holder').selectOption('primary');
    await form.getByLabel('Pass name').selectOption('secondary');
    await expect
      .poll(() => preview.locator('.wallet-primary').textContent())
      .toBe('HolderAnalytical Engines Ltd');
    await form.getByLabel(/^Logo/).setInputFiles(logo);
    await expect.poll(() => preview.locator('.wallet-logo').count()).toBe(1);
    await form.getByRole('button', { name: 'Add template' }).click();
    const item = page.locator('li[data-template]', { hasText: 'Night gala' });
    await item.waitFor();
    const [made] = (await http(`${pages.tenant.apiUrl}/templates`, { key: pages.tenant.apiKey }))
      .body;
    expect(made).toMatchObject({
      name: 'Night gala',
      organizationName: 'Harbour Nights',
      backgroundColor: '#1e3a8a',
      layout: { primary: ['clientName'], secondary: ['name', 'validUntil'] },
      logoUrl: expect.stringMatching(/\/images\/[0-9a-f]{64}\.png$/),
    });

    // A pass made in it, picked by name; its page wears the template.
    await go(page, '/passes/new', 'New pass');
    await page.getByLabel("Holder's name").fill('Gala guest');
    await page.getByLabel('Template').selectOption({ label: 'Night gala' });
    await page.getByRole('button', { name: 'Create pass' }).click();
    await page.getByRole('heading', { level: 1, name: /^Pass / }).waitFor();
    const passId = /#\/passes\/(\w+)/.exec(page.url())?.[1];
    const pass = await http(`${pages.tenant.apiUrl}/passes/${passId}`, {
      key: pages.tenant.apiKey,
    });
    expect(pass.body.templateId).toBe(made.id);
    const holder = await context.newPage();
    await holder.goto(pass.body.publicUrl);
    const card = holder.locator('.card');
    expect(await card.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(
      'rgb(30, 58, 138)',
    );
    expect(await holder.locator('img.logo').getAttribute('alt')).toBe('Harbour Nights');
    await context.close();
  });
});
