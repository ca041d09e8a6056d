import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { solidPng } from '../support/png';
import { createTenant, http, type TestTenant } from '../support/tenant';

// Templates: how a tenant's passes look. Made, read, changed and archived; their images checked
// to be PNGs of a sensible size and fitted; a pass wears one, or the tenant's default.

let tenant: TestTenant;
let other: TestTenant;

const base64 = async (width: number, height: number) =>
  (await solidPng(width, height)).toString('base64');

const createTemplate = (json: Record<string, unknown>, owner = tenant) =>
  http(`${owner.apiUrl}/templates`, { key: owner.apiKey, json });

beforeAll(async () => {
  [tenant, other] = await Promise.all([createTenant(), createTenant()]);
});

describe('templates', () => {
  it('are made with fitted images and defaults, read, changed and archived', async () => {
    const made = await createTemplate({
      name: 'Gala',
      backgroundColor: '#1E3A8A',
      foregroundColor: '#ffffff',
      logo: `data:image/png;base64,${await base64(960, 200)}`,
      icon: await base64(300, 200),
      supportEmail: 'help@example.com',
    });
    expect(made.status, made.text).toBe(201);
    expect(made.body).toMatchObject({
      id: expect.stringMatching(/^tpl_/),
      name: 'Gala',
      organizationName: expect.stringMatching(/^Test /),
      description: 'Gala',
      backgroundColor: '#1e3a8a',
      foregroundColor: '#ffffff',
      labelColor: '#52525b',
      layout: {
        primary: ['name'],
        secondary: ['clientName', 'validUntil'],
        auxiliary: ['usesLeft', 'location'],
        back: ['validFrom', 'publicFields'],
      },
      stripUrl: null,
      supportEmail: 'help@example.com',
      isDefault: false,
      archivedAt: null,
    });
    // Kept at the wallets' sizes, at addresses anyone may read.
    const logo = await fetch(made.body.logoUrl);
    expect(logo.headers.get('content-type')).toBe('image/png');
    expect(await sharp(Buffer.from(await logo.arrayBuffer())).metadata()).toMatchObject({
      width: 480,
      height: 100,
    });
    const icon = await fetch(made.body.iconUrl);
    expect(await sharp(Buffer.from(await icon.arrayBuffer())).metadata()).toMatchObject({
      width: 87,
      height: 87,
    });

    const url = `${tenant.apiUrl}/templates/${made.body.id}`;
    const changed = await http(url, {
      key: tenant.apiKey,
      method: 'PATCH',
      json: {
        labelColor: '#FACC15',
        icon: null,
        layout: { primary: ['name'], secondary: [], auxiliary: [], back: ['publicFields'] },
      },
    });
    expect(changed.body).toMatchObject({
      labelColor: '#facc15',
      iconUrl: null,
      layout: { back: ['publicFields'] },
    });
    // An upload on its own: multipart, or the PNG as the body.
    const form = new FormData();
    form.append('file', new Blob([await solidPng(1200, 600)], { type: 'image/png' }), 'strip.png');
    const strip = await http(`${url}/images/strip`, {
      key: tenant.apiKey,
      method: 'PUT',
      body: form as never,
    });
    expect(strip.status, strip.text).toBe(200);
    const stripped = await fetch(strip.body.stripUrl);
    expect(await sharp(Buffer.from(await stripped.arrayBuffer())).metadata()).toMatchObject({
      width: 1125,
      height: 369,
    });
    const raw = await fetch(`${url}/images/icon`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'image/png' },
      body: await solidPng(64, 64),
    });
    expect(raw.status).toBe(200);
    expect((await raw.json()).iconUrl).toMatch(/\/images\/[0-9a-f]{64}\.png$/);

    const listed = await http(`${tenant.apiUrl}/templates`, { key: tenant.apiKey });
    expect(listed.body.map((t: { id: string }) => t.id)).toContain(made.body.id);
    const archived = await http(`${url}/archive`, { key: tenant.apiKey, method: 'POST' });
    expect(archived.body.archivedAt).not.toBeNull();
    expect((await http(`${url}/archive`, { key: tenant.apiKey, method: 'POST' })).body).toEqual(
      archived.body,
    );
    // Another tenant never sees it.
    expect(
      (await http(url.replace(tenant.apiUrl, other.apiUrl), { key: other.apiKey })).status,
    ).toBe(404);
  });

  it('refuses bad input naming the field, and stores nothing', async () => {
    const before = await http(`${tenant.apiUrl}/templates`, { key: tenant.apiKey });
    const jpeg = (
      await sharp({ create: { width: 40, height: 40, channels: 3, background: '#000' } })
        .jpeg()
        .toBuffer()
    ).toString('base64');
    const huge = Buffer.concat([await solidPng(100, 100), Buffer.alloc(600 * 1024)]).toString(
      'base64',
    );
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { name: 'x', backgroundColor: 'red' },
        /^backgroundColor: backgroundColor must be a colour written #rrggbb/,
      ],
      [{ name: 'x', logo: jpeg }, /^logo: not a PNG image$/],
      [{ name: 'x', logo: 'not base64!' }, /^logo: not base64/],
      [
        { name: 'x', icon: await base64(8, 8) },
        /^icon: 8×8 pixels; each side must be from 16 to 4096$/,
      ],
      [{ name: 'x', strip: huge }, /^strip: at most 512 KB$/],
      [
        { name: 'x', layout: { primary: ['name'], secondary: ['name'], auxiliary: [], back: [] } },
        /layout: each fact may appear once/,
      ],
      [
        { name: 'x', supportUrl: 'javascript:alert(1)' },
        /^supportUrl: supportUrl must be an http\(s\) URL$/,
      ],
    ];
    for (const [json, error] of cases) {
      const refused = await createTemplate(json);
      expect(refused.status, JSON.stringify(json).slice(0, 80)).toBe(400);
      expect(refused.body.error).toMatch(error);
    }
    const after = await http(`${tenant.apiUrl}/templates`, { key: tenant.apiKey });
    expect(after.body).toEqual(before.body);
  });
});

describe('a pass in a template', () => {
  it('must name a template of its tenant in use; without one it wears the default', async () => {
    const mine = (await createTemplate({ name: 'Members', backgroundColor: '#14532d' })).body;
    const theirs = (await createTemplate({ name: 'Theirs' }, other)).body;
    const gone = (await createTemplate({ name: 'Old' })).body;
    await http(`${tenant.apiUrl}/templates/${gone.id}/archive`, {
      key: tenant.apiKey,
      method: 'POST',
    });
    const before = await tenant.counts();
    for (const [templateId, error] of [
      [theirs.id, 'templateId: no such template'],
      ['tpl_nothing', 'templateId: no such template'],
      [gone.id, `templateId: template ${gone.id} is archived`],
    ]) {
      const refused = await http(`${tenant.apiUrl}/passes`, {
        key: tenant.apiKey,
        json: { type: 'single', name: 'Styled', templateId },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe(error);
    }
    expect(await tenant.counts()).toEqual(before);

    const styled = await tenant.newPass({ name: 'Styled', templateId: mine.id });
    const page = await (await fetch(styled.publicUrl)).text();
    expect(page).toContain('background:#14532d');
    const plain = await tenant.newPass({ name: 'Plain' });
    expect(await (await fetch(plain.publicUrl)).text()).not.toContain('background:#14532d');

    // One default per tenant: the pass with none wears it; making another default moves it.
    const defaults = (
      await createTemplate({ name: 'House', backgroundColor: '#7c2d12', isDefault: true })
    ).body;
    expect(await (await fetch(plain.publicUrl)).text()).toContain('background:#7c2d12');
    await http(`${tenant.apiUrl}/templates/${mine.id}`, {
      key: tenant.apiKey,
      method: 'PATCH',
      json: { isDefault: true },
    });
    const house = await http(`${tenant.apiUrl}/templates/${defaults.id}`, { key: tenant.apiKey });
    expect(house.body.isDefault).toBe(false);
    expect(await (await fetch(plain.publicUrl)).text()).toContain('background:#14532d');

    // A PATCH dresses a pass in another.
    const moved = await http(`${tenant.apiUrl}/passes/${plain.id}`, {
      key: tenant.apiKey,
      method: 'PATCH',
      json: { templateId: defaults.id },
    });
    expect(moved.body.templateId).toBe(defaults.id);
  });
});
