import { beforeAll, describe, expect, it } from 'vitest';
import { createTenant, http, type TestTenant } from '../support/tenant';

let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTenant();
});

async function newPass(body: Record<string, unknown>) {
  const res = await tenant.client.passes.create({ type: 'single', ...body } as never);
  if (!res.ok) throw new Error(res.error);
  // publicUrl names PUBLIC_URL (localhost); fetch the same path from the test server.
  const url = new URL(res.data.publicUrl);
  return {
    ...res.data,
    pageUrl: `${tenant.server.url}${url.pathname}${url.search}`,
    token: url.searchParams.get('token')!,
  };
}

describe('public pass page /p/:code', () => {
  it('shows the QR as inline SVG, the name, validity, status and only public fields, with no script needed', async () => {
    const pass = await newPass({
      name: 'Summer <Gala>',
      validUntil: '2099-07-01T20:00:00Z',
      customFields: [
        { key: 'Seat', value: 'A-12', isPublic: true },
        { key: 'Internal', value: 'do-not-show', isPublic: false },
      ],
      note: 'secret note',
    });
    const res = await http(pass.pageUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.text).toContain('<svg');
    expect(res.text).toContain('Summer &lt;Gala&gt;');
    expect(res.text).not.toContain('<Gala>');
    expect(res.text).toContain('Seat');
    expect(res.text).toContain('A-12');
    expect(res.text).not.toContain('do-not-show');
    expect(res.text).not.toContain('secret note');
    expect(res.text).toContain('data-status="active"');
    expect(res.text).toContain('1 Jul 2099');
    // No script is needed to show any of it: the one script only rewrites dates in the
    // phone's time zone and registers the worker that keeps a copy for a door with no signal
    // (see test/browser/pass-page.test.ts); the policy allows no other script, and workers only
    // from this server.
    expect(res.text.match(/<script/gi)).toHaveLength(1);
    const policy = res.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/(^|; )script-src 'sha256-[A-Za-z0-9+/]+=*'(;|$)/);
    expect(policy).toMatch(/(^|; )worker-src 'self'(;|$)/);
    expect(policy).toMatch(/(^|; )default-src 'none'(;|$)/);
    const worker = await fetch(`${tenant.server.url}/p/sw.js`);
    expect(worker.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await worker.text()).toContain("addEventListener('fetch'");
  });

  it('shows revoked, used and expired clearly', async () => {
    const revoked = await newPass({});
    await tenant.client.passes.revoke(revoked.id);
    const used = await newPass({});
    await tenant.client.scan({ code: used.code });
    const expired = await newPass({ validUntil: '2001-01-01T00:00:00Z' });
    // Active as the API reports it, but the door says "not valid yet" until validFrom.
    const early = await newPass({ validFrom: '2099-01-01T00:00:00Z' });
    for (const [pass, status, text] of [
      [revoked, 'revoked', 'Revoked'],
      [used, 'used', 'Used'],
      [expired, 'expired', 'Expired'],
      [early, 'not_yet_valid', 'Not valid yet'],
    ] as const) {
      const res = await http(pass.pageUrl);
      expect(res.text, status).toMatch(new RegExp(`data-status="${status}">${text}</span>`));
    }
  });

  it('is 404 without the right token', async () => {
    const pass = await newPass({});
    const base = pass.pageUrl.split('?')[0]!;
    for (const url of [
      base,
      `${base}?token=`,
      `${base}?token=${pass.token.slice(0, -1)}${pass.token.endsWith('x') ? 'y' : 'x'}`,
      `${tenant.server.url}/p/AAAAAAAAAAAA?token=${pass.token}`,
    ]) {
      const res = await http(url);
      expect(res.status, url).toBe(404);
      expect(res.text).not.toContain('<svg');
    }
  });
});
