import { UploadAnswer, UploadRequest } from '@passgate/shared';
import { ACCESS, defineRoute } from '../../access';
import type { Services } from '../../services';
import { deviceTimeOf } from '../../services/device-presence';
import { createRouter, errorResponses, json, jsonBody } from '../support';
import { recordUploads } from './queries';

const upload = defineRoute({
  method: 'post',
  path: '/scanner/uploads',
  operationId: 'uploadScans',
  access: ACCESS.keys,
  tags: ['Scan'],
  summary: "Upload a door's offline scans",
  description:
    'Records up to 100 scans a phone decided while the server was out of reach, in the order ' +
    'given and in one transaction, each as `POST /scan` with `offline: true` would record it ' +
    '(conflicts included). Each scan carries its own `key`, which is its Idempotency-Key: it is ' +
    'recorded once under it, however often it is sent, here or to `POST /scan`. Each is answered ' +
    'in `results` with the status and answer (or error) `POST /scan` would give it alone. Send ' +
    '`X-Device-Time` as for an upload.',
  request: { body: jsonBody(UploadRequest) },
  responses: {
    200: json(UploadAnswer, 'One result for each scan, in order'),
    ...errorResponses(400, 401, 403, 409, 415, 429),
  },
});

export function uploadRoutes({ db, publicUrl }: Services) {
  return createRouter().openapi(upload, async (c) => {
    const { scans } = c.req.valid('json');
    const { tenant, key } = c.get('caller');
    // The access declared admits keys alone.
    if (!key) throw new Error('An upload without a key passed the access check');
    const uploader = {
      tenantId: tenant.id,
      apiKeyId: key.id,
      deviceId: key.device?.id ?? null,
      deviceNow: deviceTimeOf(c.req.header('x-device-time')),
    };
    const now = new Date();
    const results = await db
      .transaction()
      .execute((trx) => recordUploads(trx, uploader, scans, { now, publicUrl }));
    return c.json({ results }, 200);
  });
}
