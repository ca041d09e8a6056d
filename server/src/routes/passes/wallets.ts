import { z } from '@hono/zod-openapi';
import { PassWallets } from '@passgate/shared';
import { ACCESS, defineRoute } from '../../access';
import { findPass } from '../../domain/passes/rows';
import { notFound } from '../../errors';
import type { Services } from '../../services';
import { createRouter, errorResponses, json } from '../support';

// The wallets holding a pass: phones registered with Apple Wallet, and whether the holder saved
// it to Google Wallet. What the dashboard's pass page shows.

const wallets = defineRoute({
  method: 'get',
  path: '/passes/{passId}/wallets',
  operationId: 'getPassWallets',
  access: ACCESS.team,
  tags: ['Passes'],
  summary: 'The wallets holding a pass',
  request: { params: z.object({ passId: z.string().max(100) }) },
  responses: {
    200: json(PassWallets, 'Apple Wallet phones and the Google Wallet save'),
    ...errorResponses(401, 403, 404, 429),
  },
});

export const passWalletOperations = { wallets };

export function passWalletRoutes({ db, appleWallet, googleWallet }: Services) {
  return createRouter().openapi(wallets, async (c) => {
    const tenantId = c.get('caller').tenant.id;
    const pass = await findPass(db, tenantId, c.req.valid('param').passId);
    if (!pass) throw notFound('Pass');
    const [phones, google] = await Promise.all([
      db
        .selectFrom('wallet_registrations')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('tenant_id', '=', tenantId)
        .where('pass_id', '=', pass.id)
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('google_wallet_objects')
        .select('pass_id')
        .where('tenant_id', '=', tenantId)
        .where('pass_id', '=', pass.id)
        .executeTakeFirst(),
    ]);
    return c.json(
      {
        apple: { configured: appleWallet !== undefined, phones: Number(phones.count) },
        google: { configured: googleWallet !== undefined, saved: google !== undefined },
      },
      200,
    );
  });
}
