import { describe, expect, inject, it } from 'vitest';
import { createTenant, http } from '../support/tenant';

const { url } = inject('server');

describe('pages served to browsers', () => {
  it('may not be framed by another site, and carry a Content-Security-Policy', async () => {
    const tenant = await createTenant();
    const pass = await tenant.client.passes.create({ type: 'single' });
    if (!pass.ok) throw new Error(pass.error);
    for (const path of [
      '/scanner/',
      '/scanner/index.html',
      '/scanner/no-such-file.js',
      '/docs',
      '/docs/assets/swagger-ui-bundle.js',
      new URL(pass.data.publicUrl).pathname + new URL(pass.data.publicUrl).search,
      '/p/NOSUCHCODE12?token=wrong',
    ]) {
      const res = await http(`${url}${path}`);
      const policy = res.headers.get('content-security-policy') ?? '';
      expect(policy, path).toContain("frame-ancestors 'none'");
      expect(policy, path).toMatch(/default-src '(self|none)'/);
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });

  it("sends no policy with the pass page's service worker, which would bind what it may fetch", async () => {
    const res = await http(`${url}/p/sw.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBeNull();
  });
});
