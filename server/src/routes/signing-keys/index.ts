import { z } from '@hono/zod-openapi';
import { SigningKey } from '@passgate/shared';
import { ACCESS, defineRoute } from '../../access';
import { ApiError, notFound } from '../../errors';
import type { Services } from '../../services';
import { createRouter, errorResponses, json } from '../support';
import { presentSigningKey } from './present';
import { listSigningKeys, retireSigningKey } from './queries';

// The tenant's keys for signed pass codes: public keys for doors and integrators to verify
// with; rotated and retired by admins (docs/api.md#signed-codes).

const list = defineRoute({
  method: 'get',
  path: '/signing-keys',
  operationId: 'listSigningKeys',
  access: ACCESS.door,
  tags: ['Signed codes'],
  summary: "The tenant's signing keys",
  description: 'Newest first, retired ones included. The first key is made when first needed.',
  responses: {
    200: json(z.array(SigningKey), 'Newest first'),
    ...errorResponses(401, 403, 429),
  },
});

const rotate = defineRoute({
  method: 'post',
  path: '/signing-keys/rotate',
  operationId: 'rotateSigningKey',
  access: ACCESS.admins,
  tags: ['Signed codes'],
  summary: 'Sign with a new key from now on',
  description:
    'The keys before it still verify until retired. 409 when eight keys verify: retire one first.',
  responses: {
    201: json(SigningKey, 'The new key'),
    ...errorResponses(401, 403, 409, 429),
  },
});

const retire = defineRoute({
  method: 'post',
  path: '/signing-keys/{signingKeyId}/retire',
  operationId: 'retireSigningKey',
  access: ACCESS.admins,
  tags: ['Signed codes'],
  summary: 'Retire a signing key',
  description:
    'Codes it signed are refused as `invalid_signature`, online at once and on doors after their ' +
    'next sync. Retiring the key that signs makes a new one sign.',
  request: { params: z.object({ signingKeyId: z.string().max(100) }) },
  responses: {
    200: json(SigningKey, 'The key, retired'),
    ...errorResponses(401, 403, 404, 429),
  },
});

export function signingKeyRoutes({ db, signingKeys }: Services) {
  const off = () =>
    new ApiError(
      409,
      'Signed codes are off: set SIGNING_SECRET on this server (docs/configuration.md)',
    );
  return createRouter()
    .openapi(list, async (c) => {
      const tenantId = c.get('caller').tenant.id;
      if (signingKeys.enabled) await signingKeys.signer(db, tenantId);
      const keys = await listSigningKeys(db, tenantId);
      return c.json(keys.map(presentSigningKey), 200);
    })
    .openapi(rotate, async (c) => {
      if (!signingKeys.enabled) throw off();
      const tenantId = c.get('caller').tenant.id;
      await signingKeys.rotate(db, tenantId);
      const [newest] = await listSigningKeys(db, tenantId);
      if (!newest) throw new Error('no key after a rotation');
      return c.json(presentSigningKey(newest), 201);
    })
    .openapi(retire, async (c) => {
      const tenantId = c.get('caller').tenant.id;
      const key = await retireSigningKey(
        db,
        tenantId,
        c.req.valid('param').signingKeyId,
        new Date(),
      );
      if (!key) throw notFound('Signing key');
      return c.json(presentSigningKey(key), 200);
    });
}
