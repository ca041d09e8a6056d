import { createRoute } from '@hono/zod-openapi';
import {
  extractPassCode,
  type ScanAnswer,
  ScanAnswer as ScanAnswerSchema,
  ScanRequest,
  type ScanResult,
} from '@passgate/shared';
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema';
import { newId, PASS_CODE_PATTERN } from '../../domain/ids';
import { evaluateScan, reportedStatus } from '../../domain/scan-rule';
import { ApiError } from '../../errors';
import type { NewEvent } from '../../events';
import type { Caller } from '../../middleware/env';
import { commitChange } from '../../middleware/idempotency';
import type { Services } from '../../services';
import { type PassWithClient, statusChangeEvents } from '../passes/present';
import { createRouter, errorResponses, json, jsonBody, toIso } from '../support';
import { admitPass, findPassByCode, recordScan } from './queries';

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
    200: json(ScanAnswerSchema, 'The decision, admitted or not'),
    ...errorResponses(400, 401, 403, 404, 409, 415, 422, 429),
  },
});

const unknownPass = () => new ApiError(404, 'Unknown pass: no pass of this tenant has that code');

/** Decides and records one scan in the caller's transaction. */
async function scanPass(
  trx: Transaction<Database>,
  caller: Caller,
  request: ScanRequest,
  publicUrl: string,
): Promise<ScanAnswer> {
  const code = extractPassCode(request.code);
  if (!PASS_CODE_PATTERN.test(code)) throw unknownPass();
  const tenantId = caller.tenant.id;
  const now = new Date();

  let result: ScanResult = 'success';
  let pass: PassWithClient | undefined;
  // The conditional UPDATE decides. Only when it admits nothing do we read the pass to say why;
  // if that read says "success" the pass changed in between, so we try again.
  for (let attempt = 0; attempt < 3; attempt++) {
    pass = await admitPass(trx, tenantId, code, now);
    if (pass) {
      result = 'success';
      break;
    }
    pass = await findPassByCode(trx, tenantId, code);
    if (!pass) throw unknownPass();
    result = evaluateScan(pass, now);
    if (result !== 'success') break;
  }
  if (!pass) throw unknownPass();
  const success = result === 'success';

  const device = request.device || null;
  const scanId = newId('scan');
  const events: NewEvent[] = [
    {
      type: 'pass.scanned',
      subjectId: pass.id,
      data: {
        id: scanId,
        passId: pass.id,
        code: pass.code,
        name: pass.name,
        type: pass.type,
        result,
        success,
        status: reportedStatus(pass, now),
        usagesCount: pass.usages_count,
        maxUsages: pass.max_usages,
        clientName: pass.client_name,
        device,
        scannedAt: now.toISOString(),
      },
    },
  ];
  if (success) {
    const before = { ...pass, status: 'active' as const, usages_count: pass.usages_count - 1 };
    events.push(...statusChangeEvents(before, pass, publicUrl, now));
  }
  await recordScan(
    trx,
    { id: scanId, tenantId, passId: pass.id, apiKeyId: caller.key.id, device, result, at: now },
    events,
  );

  return {
    success,
    result,
    pass: {
      id: pass.id,
      code: pass.code,
      name: pass.name,
      type: pass.type,
      status: reportedStatus(pass, now),
      usagesCount: pass.usages_count,
      maxUsages: pass.max_usages,
      validFrom: toIso(pass.valid_from),
      validUntil: toIso(pass.valid_until),
      clientName: pass.client_name,
      lastAdmittedAt: toIso(pass.last_admitted_at),
    },
    scan: { id: scanId, scannedAt: now.toISOString() },
  };
}

export function scanRoutes({ db, publicUrl }: Services) {
  return createRouter().openapi(scanRoute, async (c) => {
    const request = c.req.valid('json');
    const answer = await commitChange(c, db, async (trx) => ({
      status: 200 as const,
      body: await scanPass(trx, c.get('caller'), request, publicUrl),
    }));
    return c.json(answer.body, answer.status);
  });
}
