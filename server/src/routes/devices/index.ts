import { z } from '@hono/zod-openapi';
import {
  CreateDeviceBody,
  Device,
  DevicePairing,
  Pagination,
  PairDeviceBody,
  PairedDevice,
  PairingPreview,
  UpdateDeviceBody,
} from '@passgate/shared';
import { ACCESS, defineRoute } from '../../access';
import { ApiError, notFound } from '../../errors';
import { commitChange } from '../../middleware/idempotency';
import type { Services } from '../../services';
import { createRouter, errorResponses, json, jsonBody, setPaginationHeaders } from '../support';
import { presentDevice, presentPairing } from './present';
import {
  findDevice,
  insertDevice,
  listDevices,
  type PairingFailure,
  previewPairing,
  redeemPairing,
  revokeDevice,
  startPairing,
  updateDevice,
} from './queries';

const DeviceParams = z.object({ deviceId: z.string().max(100) });

const list = defineRoute({
  method: 'get',
  path: '/devices',
  operationId: 'listDevices',
  access: ACCESS.team,
  tags: ['Devices'],
  summary: 'List door devices',
  request: { query: z.object(Pagination) },
  responses: { 200: json(z.array(Device), 'Newest first'), ...errorResponses(400, 401, 403, 429) },
});

const create = defineRoute({
  method: 'post',
  path: '/devices',
  operationId: 'createDevice',
  access: ACCESS.team,
  tags: ['Devices'],
  summary: 'Add a door device',
  description:
    'Answers a one-time pairing link, valid for 24 hours: opening it on the phone pairs it.',
  request: { body: jsonBody(CreateDeviceBody) },
  responses: {
    201: json(DevicePairing, 'The device and its pairing link'),
    ...errorResponses(400, 401, 403, 409, 415, 422, 429),
  },
});

const update = defineRoute({
  method: 'patch',
  path: '/devices/{deviceId}',
  operationId: 'updateDevice',
  access: ACCESS.team,
  tags: ['Devices'],
  summary: 'Rename a door device, or move it to a location',
  description:
    'A door at a location admits only passes good there (a pass bound to another location is ' +
    '`wrong_location`); `locationId: null` lets it admit at any. The phone picks the change up ' +
    'with its next request.',
  request: { params: DeviceParams, body: jsonBody(UpdateDeviceBody) },
  responses: {
    200: json(Device, 'The device as changed'),
    ...errorResponses(400, 401, 403, 404, 409, 415, 422, 429),
  },
});

const revoke = defineRoute({
  method: 'post',
  path: '/devices/{deviceId}/revoke',
  operationId: 'revokeDevice',
  access: ACCESS.team,
  tags: ['Devices'],
  summary: 'Revoke a door device',
  description: 'Its credential stops working at once; the scanner then wipes what it holds.',
  request: { params: DeviceParams },
  responses: { 200: json(Device, 'The revoked device'), ...errorResponses(401, 403, 404, 429) },
});

const pairing = defineRoute({
  method: 'post',
  path: '/devices/{deviceId}/pairing',
  operationId: 'createDevicePairing',
  access: ACCESS.team,
  tags: ['Devices'],
  summary: 'Make a fresh pairing link',
  description:
    "For a replaced phone: ends the device's current credential and any unused link at once.",
  request: { params: DeviceParams },
  responses: {
    200: json(DevicePairing, 'The device and its new pairing link'),
    ...errorResponses(401, 403, 404, 409, 422, 429),
  },
});

const pair = defineRoute({
  method: 'post',
  path: '/devices/pair',
  operationId: 'pairDevice',
  access: ACCESS.anyone,
  tags: ['Devices'],
  summary: 'Pair a phone',
  description:
    "Needs no key: exchanges a pairing token (from `#pair=` of the link) for the device's " +
    'scan-scope key. A token works once. Past 20 unknown or spent tokens from a client ' +
    'address in 15 minutes, each further try is answered later (1 s, doubling, at most 30 s).',
  security: [],
  request: { body: jsonBody(PairDeviceBody) },
  responses: {
    200: json(PairedDevice, "The device's credential, shown once"),
    ...errorResponses(400, 404, 410, 415, 429),
  },
});

const preview = defineRoute({
  method: 'post',
  path: '/devices/pair/preview',
  operationId: 'previewPairing',
  access: ACCESS.anyone,
  tags: ['Devices'],
  summary: 'See whom a pairing link is for',
  description:
    'Needs no key, and uses nothing up: the door and tenant a pairing token would pair a phone ' +
    'with, so that a phone paired already can name both before its staff agree to change. ' +
    'Unknown and spent tokens count toward the same slowing down as `POST /devices/pair`.',
  security: [],
  request: { body: jsonBody(PairDeviceBody) },
  responses: {
    200: json(PairingPreview, 'The door and tenant of the link'),
    ...errorResponses(400, 404, 410, 415, 429),
  },
});

/** The operations of this resource, as the OpenAPI document and the client's types see them. */
export const deviceOperations = { list, create, update, revoke, pairing, pair, preview };

const PAIRING_FAILURES: Record<PairingFailure, () => ApiError> = {
  unknown: () => new ApiError(404, 'Unknown pairing link: ask for a new one'),
  used: () => new ApiError(410, 'This pairing link was used already: ask for a new one'),
  expired: () => new ApiError(410, 'This pairing link has expired: ask for a new one'),
};

/** Tries of pairing tokens from one address: 20 free in 15 minutes, then slowed. */
const pairingAttempts = (address: string) =>
  ({ kind: 'pair-address', name: address, free: 20, atOnce: 16, onSuccess: 'forgive' }) as const;

export function deviceRoutes({ db, publicUrl, throttle, clientAddress }: Services) {
  return createRouter()
    .openapi(list, async (c) => {
      const query = c.req.valid('query');
      const { rows, total, estimated } = await listDevices(db, c.get('caller').tenant.id, query);
      setPaginationHeaders(c, publicUrl, {
        total,
        estimated,
        page: query.page,
        limit: query.limit,
      });
      return c.json(rows.map(presentDevice), 200);
    })
    .openapi(create, async (c) => {
      const body = c.req.valid('json');
      const tenantId = c.get('caller').tenant.id;
      const answer = await commitChange(c, db, async (trx) => {
        const device = await insertDevice(trx, tenantId, body);
        const pairing = await startPairing(trx, device.id);
        return { status: 201 as const, body: presentPairing(publicUrl, device, pairing) };
      });
      return c.json(answer.body, answer.status);
    })
    .openapi(update, async (c) => {
      const { deviceId } = c.req.valid('param');
      const tenantId = c.get('caller').tenant.id;
      const answer = await commitChange(c, db, async (trx) => {
        const device = await updateDevice(trx, tenantId, deviceId, c.req.valid('json'));
        if (!device) throw notFound('Device');
        return { status: 200 as const, body: presentDevice(device) };
      });
      return c.json(answer.body, answer.status);
    })
    .openapi(revoke, async (c) => {
      const { deviceId } = c.req.valid('param');
      const tenantId = c.get('caller').tenant.id;
      const device = await db.transaction().execute(async (trx) => {
        const revoked = await revokeDevice(trx, tenantId, deviceId);
        return revoked ?? (await findDevice(trx, tenantId, deviceId));
      });
      if (!device) throw notFound('Device');
      return c.json(presentDevice(device), 200);
    })
    .openapi(pairing, async (c) => {
      const { deviceId } = c.req.valid('param');
      const tenantId = c.get('caller').tenant.id;
      const answer = await commitChange(c, db, async (trx) => {
        const device = await findDevice(trx, tenantId, deviceId);
        if (!device) throw notFound('Device');
        if (device.revoked_at) throw new ApiError(404, 'Device not found: it was revoked');
        const pairing = await startPairing(trx, device.id);
        return { status: 200 as const, body: presentPairing(publicUrl, device, pairing) };
      });
      return c.json(answer.body, answer.status);
    })
    .openapi(preview, async (c) => {
      const { token } = c.req.valid('json');
      const answer = await throttle.attempt([pairingAttempts(clientAddress(c))], async () => {
        const found = await previewPairing(db, token);
        if (!found.ok) throw PAIRING_FAILURES[found.failure]();
        return found.preview;
      });
      return c.json(answer, 200);
    })
    .openapi(pair, async (c) => {
      const { token } = c.req.valid('json');
      const answer = await throttle.attempt([pairingAttempts(clientAddress(c))], () =>
        db.transaction().execute(async (trx) => {
          const redeemed = await redeemPairing(trx, token);
          if (!redeemed.ok) throw PAIRING_FAILURES[redeemed.failure]();
          return {
            apiKey: redeemed.apiKey,
            device: presentDevice(redeemed.device),
            tenant: redeemed.tenant,
          };
        }),
      );
      return c.json(answer, 200);
    });
}
