import { z } from '@hono/zod-openapi';
import { RevocationsAnswer, SigningKey } from '@passgate/shared';
import { ACCESS, defineRoute } from '../../access';
import { formatCursor } from '../../domain/sweep';
import { ApiError, notFound } from '../../errors';
import type { Services } from '../../services';
import { createRouter, errorResponses, json } from '../support';
import { foreignCursor, givenCursor, sweepQuery } from '../sweep';
import { presentRevocation, presentSigningKey } from './present';
import { listSigningKeys, retireSigningKey, revocationsPage } from './queries';

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

/** Entries per page of the revocation list. */
const REVOCATIONS_PAGE_SIZE = 5000;

const revocations = defineRoute({
  method: 'get',
  path: '/signing-keys/revocations',
  operationId: 'listRevocations',
  access: ACCESS.door,
  tags: ['Signed codes'],
  summary: 'The revocation list of signed codes',
  description:
    'For verifying signed codes without the pass list: the statements a change of their pass ' +
    'replaced, and the passes revoked, changed since `cursor` (the whole list without one). ' +
    "Ask again with the answer's `cursor` while `hasMore`, and later to get what changed " +
    'since. An entry may come again, as it reads now (`revoked: false` takes it off); a change ' +
    'is never skipped. Entries whose codes have expired are left out.',
  request: { query: sweepQuery(REVOCATIONS_PAGE_SIZE) },
  responses: {
    200: json(RevocationsAnswer, 'One page of the list and the cursor to ask with next'),
    ...errorResponses(400, 401, 403, 429),
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
    .openapi(revocations, async (c) => {
      const query = c.req.valid('query');
      const cursor = givenCursor(query.cursor, /^\d{1,19}$/);
      const tenantId = c.get('caller').tenant.id;
      const size = query.limit ?? REVOCATIONS_PAGE_SIZE;
      const page = await revocationsPage(db, tenantId, cursor, size, new Date()).catch(
        foreignCursor,
      );
      return c.json(
        {
          revocations: page.rows.flatMap((row) => presentRevocation(row) ?? []),
          cursor: formatCursor(page.cursor),
          hasMore: page.hasMore,
        },
        200,
      );
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
