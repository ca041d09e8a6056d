import { createRoute } from '@hono/zod-openapi';
import { extractPassCode, ScanAnswer, ScanRequest } from '@passgate/shared';
import { PASS_CODE_PATTERN } from '../../domain/ids';
import { ApiError } from '../../errors';
import type { Services } from '../../services';
import { createRouter, errorResponses, json, jsonBody } from '../support';

const scanRoute = createRoute({
  method: 'post',
  path: '/scan',
  tags: ['Scan'],
  summary: 'Scan a pass',
  description:
    'Checks, in order: unknown code (404), revoked, already_used, not_yet_valid, expired, ' +
    'max_usages_reached; else admits the pass. Every attempt on a known pass is recorded and ' +
    'emits `pass.scanned` (and `pass.status_changed` when admitting it used the pass up). ' +
    'Rejections answer 200 with `success: false`.',
  request: { body: jsonBody(ScanRequest) },
  responses: {
    200: json(ScanAnswer, 'The decision, admitted or not'),
    ...errorResponses(400, 401, 403, 404, 409, 415, 422, 429),
  },
});

const unknownPass = () => new ApiError(404, 'Unknown pass: no pass of this tenant has that code');

/** The operation, as the OpenAPI document and the client's types see it. */
export const scanOperation = scanRoute;

export function scanRoutes({ scans }: Services) {
  return createRouter().openapi(scanRoute, async (c) => {
    const request = c.req.valid('json');
    const code = extractPassCode(request.code);
    if (!PASS_CODE_PATTERN.test(code)) throw unknownPass();
    const { tenant, key } = c.get('caller');
    const answer = await scans.scan({
      tenantId: tenant.id,
      code,
      apiKeyId: key.id,
      device: request.device || null,
      claim: c.get('idempotency'),
    });
    if (!answer) throw unknownPass();
    return c.json(answer, 200);
  });
}
