import { PASS_CORE_FIELDS } from '@passgate/shared';
import { Hono } from 'hono';
import { constantTimeEqual, PASS_CODE_PATTERN } from '../domain/ids';
import { presentFields } from '../domain/passes/present';
import { buildPkpass } from '../domain/wallet/apple-pass';
import { templateOfPass } from '../routes/templates/queries';
import type { Services } from '../services';

// The holder's pass for their phone's wallet, opened with the same token as their page.

export function walletRoutes({ db, publicUrl, appleWallet }: Services) {
  return new Hono().get('/p/:code/wallet.pkpass', async (c) => {
    if (!appleWallet) {
      return c.json({ error: 'Apple Wallet is not configured on this server' }, 404);
    }
    const code = c.req.param('code');
    const token = c.req.query('token') ?? '';
    const pass = PASS_CODE_PATTERN.test(code)
      ? await db.selectFrom('passes').selectAll().where('code', '=', code).executeTakeFirst()
      : undefined;
    if (!pass || !constantTimeEqual(pass.public_token, token)) {
      return c.json({ error: 'No pass has this link: open the whole link you were sent' }, 404);
    }
    const [template, tenant, client, location] = await Promise.all([
      templateOfPass(db, pass.tenant_id, pass.template_id),
      db
        .selectFrom('tenants')
        .select('name')
        .where('id', '=', pass.tenant_id)
        .executeTakeFirstOrThrow(),
      pass.client_id
        ? db
            .selectFrom('clients')
            .select('name')
            .where('tenant_id', '=', pass.tenant_id)
            .where('id', '=', pass.client_id)
            .executeTakeFirst()
        : undefined,
      pass.location_id
        ? db
            .selectFrom('locations')
            .select(['name', 'address', 'latitude', 'longitude'])
            .where('tenant_id', '=', pass.tenant_id)
            .where('id', '=', pass.location_id)
            .executeTakeFirst()
        : undefined,
    ]);
    const ids = [template?.logo_image_id, template?.icon_image_id, template?.strip_image_id].filter(
      (id): id is string => typeof id === 'string',
    );
    const rows = ids.length
      ? await db.selectFrom('images').select(['id', 'png']).where('id', 'in', ids).execute()
      : [];
    const png = (id: string | null | undefined) => rows.find((row) => row.id === id)?.png;
    const shown = presentFields(PASS_CORE_FIELDS, pass, { now: new Date() });
    const body = await buildPkpass({
      wallet: appleWallet,
      pass: {
        id: pass.id,
        code: pass.code,
        name: pass.name,
        type: pass.type,
        status: shown.status,
        usagesCount: pass.usages_count,
        maxUsages: pass.max_usages,
        validFrom: pass.valid_from,
        validUntil: pass.valid_until,
        clientName: client?.name ?? null,
        publicFields: pass.fields.filter((field) => field.isPublic),
        location: location ?? null,
        publicToken: pass.public_token,
      },
      template,
      images: {
        logo: png(template?.logo_image_id),
        icon: png(template?.icon_image_id),
        strip: png(template?.strip_image_id),
      },
      publicUrl,
      organizationName: tenant.name,
    });
    return c.body(new Uint8Array(body), 200, {
      'Content-Type': 'application/vnd.apple.pkpass',
      'Content-Disposition': `attachment; filename="${pass.code}.pkpass"`,
      'Cache-Control': 'no-store',
      'Last-Modified': pass.updated_at.toUTCString(),
    });
  });
}
