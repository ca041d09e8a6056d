import { z } from '@hono/zod-openapi';
import { EVENT_TYPES, IsoDate, instantOf, limitParam } from '@passgate/shared';
import { ACCESS, defineRoute } from '../../access';
import type { Services } from '../../services';
import { createRouter, errorResponses, json } from '../support';
import { presentTrigger } from './present';
import { recentEvents } from './queries';

const DEFAULT_WINDOW_MS = 24 * 60 * 60 * 1000;

const TriggerItem = z
  .object({ id: z.string().describe('Unique per item: Zapier de-duplicates on it') })
  .catchall(z.unknown())
  .meta({
    id: 'TriggerItem',
    description:
      'pass.created: the list-passes item plus clientName, clientEmail, clientPhone. ' +
      'pass.scanned: a flat scan record (id is the scan id). ' +
      'pass.status_changed: the pass plus from, to and changedAt; id is the change event id, passId the pass. ' +
      'client.created: the client. ' +
      'client.merged: the client kept plus mergedId, mergedName and passesMoved; id is the merge event id, clientId the client.',
  });

const pollRoute = defineRoute({
  method: 'get',
  path: '/triggers',
  operationId: 'pollTrigger',
  access: ACCESS.admins,
  rateGroup: 'webhooks',
  tags: ['Triggers'],
  summary: 'Poll recent events (Zapier polling triggers)',
  request: {
    query: z.object({
      event: z.enum(EVENT_TYPES, { error: `event must be one of ${EVENT_TYPES.join(', ')}` }),
      since: IsoDate.optional().describe('Only items after this time (default: the last 24 hours)'),
      limit: limitParam(50),
    }),
  },
  responses: {
    200: json(z.array(TriggerItem), 'Newest first'),
    ...errorResponses(400, 401, 403, 429),
  },
});

export function triggerRoutes({ db }: Services) {
  return createRouter().openapi(pollRoute, async (c) => {
    const { event, since, limit } = c.req.valid('query');
    const after = since ? instantOf(since, 'start') : new Date(Date.now() - DEFAULT_WINDOW_MS);
    const rows = await recentEvents(db, c.get('caller').tenant.id, { event, after, limit });
    const items = rows.map((row) => presentTrigger(event, row));
    return c.json(items, 200);
  });
}
