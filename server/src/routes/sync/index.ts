import { SyncAnswer } from '@passgate/shared';
import { compress } from 'hono/compress';
import { ACCESS, defineRoute } from '../../access';
import { formatCursor } from '../../domain/sweep';
import type { Services } from '../../services';
import { presentSigningKey } from '../signing-keys/present';
import { listSigningKeys } from '../signing-keys/queries';
import { createRouter, errorResponses, json } from '../support';
import { foreignCursor, givenCursor, sweepQuery } from '../sweep';
import { presentSyncPass } from './present';
import { noteSynced, syncPage } from './queries';

/** Passes per page: a full sync of 100,000 passes is 20 requests. */
export const SYNC_PAGE_SIZE = 5000;

const sync = defineRoute({
  method: 'get',
  path: '/scanner/sync',
  operationId: 'syncScanner',
  access: ACCESS.door,
  tags: ['Devices'],
  summary: "A door's copy of the passes",
  description:
    'The passes changed since `cursor` (every pass without one), used and revoked ones ' +
    "included, with only what a door needs to decide a scan. Ask again with the answer's " +
    '`cursor` while `hasMore`, and later to get what changed since. A pass may come again; ' +
    'a change is never skipped. Each pass says whether it is `inside` where this door counts ' +
    'it; a door moved to another location gets every pass again. Compressed when the request ' +
    'accepts gzip.',
  middleware: [compress()] as const,
  request: { query: sweepQuery(SYNC_PAGE_SIZE) },
  responses: {
    200: json(SyncAnswer, 'One page of passes and the cursor to ask with next'),
    ...errorResponses(400, 401, 403, 429),
  },
});

export const syncOperation = sync;

export function syncRoutes({ db, signingKeys }: Services) {
  return createRouter().openapi(sync, async (c) => {
    const query = c.req.valid('query');
    const cursor = givenCursor(query.cursor);
    const { key, tenant } = c.get('caller');
    const door = key?.device
      ? await db
          .selectFrom('devices')
          .select('location_id')
          .where('tenant_id', '=', tenant.id)
          .where('id', '=', key.device.id)
          .executeTakeFirst()
      : undefined;
    const size = query.limit ?? SYNC_PAGE_SIZE;
    const page = await syncPage(db, tenant.id, cursor, size, door?.location_id ?? null).catch(
      foreignCursor,
    );
    if (key?.device && !page.hasMore) await noteSynced(db, key.device.id);
    // A door verifies signed codes offline with these: the first key is made now if need be.
    if (signingKeys.enabled) await signingKeys.signer(db, tenant.id);
    const keys = await listSigningKeys(db, tenant.id);
    return c.json(
      {
        passes: page.rows.map(presentSyncPass),
        cursor: formatCursor(page.cursor),
        hasMore: page.hasMore,
        signingKeys: keys.map(presentSigningKey),
      },
      200,
    );
  });
}
