import { z } from '@hono/zod-openapi';
import { CreateLocationBody, Location, Pagination, UpdateLocationBody } from '@passgate/shared';
import { ACCESS, defineRoute } from '../../access';
import { notFound } from '../../errors';
import { commitChange } from '../../middleware/idempotency';
import type { Services } from '../../services';
import { createRouter, errorResponses, json, jsonBody, setPaginationHeaders } from '../support';
import { presentLocation } from './present';
import {
  findLocation,
  insertLocation,
  listLocations,
  resetPresence as setEveryoneOut,
  updateLocation,
} from './queries';

const LocationParams = z.object({ locationId: z.string().max(100) });

const list = defineRoute({
  method: 'get',
  path: '/locations',
  operationId: 'listLocations',
  access: ACCESS.team,
  tags: ['Locations'],
  summary: 'List locations',
  request: {
    query: z.object({
      archived: z
        .enum(['true', 'false'])
        .optional()
        .describe('Only archived locations, or only those in use; all when left out'),
      ...Pagination,
    }),
  },
  responses: {
    200: json(z.array(Location), 'Newest first'),
    ...errorResponses(400, 401, 403, 429),
  },
});

const create = defineRoute({
  method: 'post',
  path: '/locations',
  operationId: 'createLocation',
  access: ACCESS.admins,
  tags: ['Locations'],
  summary: 'Create a location',
  description: 'Emits `location.created`.',
  request: { body: jsonBody(CreateLocationBody) },
  responses: {
    201: json(Location, 'The new location'),
    ...errorResponses(400, 401, 403, 409, 415, 422, 429),
  },
});

const get = defineRoute({
  method: 'get',
  path: '/locations/{locationId}',
  operationId: 'getLocation',
  access: ACCESS.team,
  tags: ['Locations'],
  summary: 'Get a location',
  request: { params: LocationParams },
  responses: { 200: json(Location, 'The location'), ...errorResponses(401, 403, 404, 429) },
});

const update = defineRoute({
  method: 'patch',
  path: '/locations/{locationId}',
  operationId: 'updateLocation',
  access: ACCESS.admins,
  tags: ['Locations'],
  summary: 'Change a location',
  description:
    'Changes only what is sent; `null` clears address, coordinates (both) and capacity. Emits ' +
    '`location.updated`, naming the fields that changed in `changed`, when any did.',
  request: { params: LocationParams, body: jsonBody(UpdateLocationBody) },
  responses: {
    200: json(Location, 'The location as changed'),
    ...errorResponses(400, 401, 403, 404, 409, 415, 422, 429),
  },
});

const archive = defineRoute({
  method: 'post',
  path: '/locations/{locationId}/archive',
  operationId: 'archiveLocation',
  access: ACCESS.admins,
  tags: ['Locations'],
  summary: 'Archive a location',
  description:
    'No new pass or door may name it; the passes and doors at it keep it. Emits ' +
    '`location.updated`; archiving again changes nothing.',
  request: { params: LocationParams },
  responses: {
    200: json(Location, 'The archived location'),
    ...errorResponses(401, 403, 404, 409, 422, 429),
  },
});

const resetPresence = defineRoute({
  method: 'post',
  path: '/locations/{locationId}/reset-presence',
  operationId: 'resetLocationPresence',
  access: ACCESS.admins,
  tags: ['Locations'],
  summary: 'Set everyone outside',
  description:
    'At the end of a night: every pass inside the location is set outside, so `occupancy` is 0 ' +
    'and a location with `reentry` asks a pass coming back to count a use. Emits ' +
    '`location.updated` with `changed: ["occupancy"]` and `passesOut`.',
  request: { params: LocationParams },
  responses: {
    200: json(Location, 'The location, with no one inside'),
    ...errorResponses(401, 403, 404, 409, 422, 429),
  },
});

/** The operations of this resource, as the OpenAPI document and the client's types see them. */
export const locationOperations = { list, create, get, update, archive, resetPresence };

export function locationRoutes({ db, publicUrl }: Services) {
  return createRouter()
    .openapi(list, async (c) => {
      const { archived, ...query } = c.req.valid('query');
      const { rows, total, estimated } = await listLocations(db, c.get('caller').tenant.id, {
        ...query,
        archived: archived === undefined ? undefined : archived === 'true',
      });
      setPaginationHeaders(c, publicUrl, {
        total,
        estimated,
        page: query.page,
        limit: query.limit,
      });
      return c.json(rows.map(presentLocation), 200);
    })
    .openapi(create, async (c) => {
      const body = c.req.valid('json');
      const tenantId = c.get('caller').tenant.id;
      const answer = await commitChange(c, db, async (trx) => ({
        status: 201 as const,
        body: presentLocation(await insertLocation(trx, tenantId, body)),
      }));
      return c.json(answer.body, answer.status);
    })
    .openapi(get, async (c) => {
      const { locationId } = c.req.valid('param');
      const location = await findLocation(db, c.get('caller').tenant.id, locationId);
      if (!location) throw notFound('Location');
      return c.json(presentLocation(location), 200);
    })
    .openapi(update, async (c) => {
      const { locationId } = c.req.valid('param');
      const tenantId = c.get('caller').tenant.id;
      const answer = await commitChange(c, db, async (trx) => {
        const location = await updateLocation(trx, tenantId, locationId, c.req.valid('json'));
        if (!location) throw notFound('Location');
        return { status: 200 as const, body: presentLocation(location) };
      });
      return c.json(answer.body, answer.status);
    })
    .openapi(archive, async (c) => {
      const { locationId } = c.req.valid('param');
      const tenantId = c.get('caller').tenant.id;
      const answer = await commitChange(c, db, async (trx) => {
        const found = await findLocation(trx, tenantId, locationId);
        if (!found) throw notFound('Location');
        const location = found.archived_at
          ? found
          : await updateLocation(trx, tenantId, locationId, { archivedAt: new Date() });
        return { status: 200 as const, body: presentLocation(location ?? found) };
      });
      return c.json(answer.body, answer.status);
    })
    .openapi(resetPresence, async (c) => {
      const { locationId } = c.req.valid('param');
      const tenantId = c.get('caller').tenant.id;
      const answer = await commitChange(c, db, async (trx) => {
        const location = await setEveryoneOut(trx, tenantId, locationId);
        if (!location) throw notFound('Location');
        return { status: 200 as const, body: presentLocation(location) };
      });
      return c.json(answer.body, answer.status);
    });
}
