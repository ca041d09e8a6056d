import { Me } from '@passgate/shared';
import { ACCESS, defineRoute } from '../../access';
import type { Services } from '../../services';
import { createRouter, errorResponses, json } from '../support';
import { presentMe } from './present';

const meRoute = defineRoute({
  method: 'get',
  path: '/me',
  operationId: 'getMe',
  access: ACCESS.door,
  tags: ['Keys'],
  summary: 'Who is calling: a key or a signed-in user, its role and its tenant',
  description: 'What the scanner shows after pairing, and what Zapier calls to test a connection.',
  responses: { 200: json(Me, 'The key and its tenant'), ...errorResponses(401, 403, 429) },
});

/** The operation, as the OpenAPI document and the client's types see it. */
export const meOperation = meRoute;

export function meRoutes({ db }: Pick<Services, 'db'>) {
  return createRouter().openapi(meRoute, async (c) => {
    const caller = c.get('caller');
    const device = caller.key?.device;
    // A door's location is read each time: it may have been moved since its key was cached.
    const location = device
      ? await db
          .selectFrom('devices')
          .innerJoin('locations', (join) =>
            join
              .onRef('locations.tenant_id', '=', 'devices.tenant_id')
              .onRef('locations.id', '=', 'devices.location_id'),
          )
          .select(['locations.id', 'locations.name', 'locations.reentry'])
          .where('devices.id', '=', device.id)
          .executeTakeFirst()
      : undefined;
    return c.json(presentMe(caller, location ?? null), 200);
  });
}
