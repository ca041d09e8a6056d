import { createRoute } from '@hono/zod-openapi';
import {
  extractPassCode,
  type ScanAnswer,
  ScanAnswer as ScanAnswerSchema,
  ScanRequest,
} from '@passgate/shared';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { newId, PASS_CODE_PATTERN } from '../../domain/ids';
import { ApiError } from '../../errors';
import type { Caller } from '../../middleware/env';
import { commitStatement } from '../../middleware/idempotency';
import type { Services } from '../../services';
import { passCore } from '../passes/present';
import { createRouter, errorResponses, json, jsonBody, toIso } from '../support';
import { type ScannedPassRow, scanPassOnce } from './queries';

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

/** A pass scanned by a crowd of doors at once settles in one retry; this bounds the pathological. */
const MAX_ATTEMPTS = 5;

const unknownPass = () => new ApiError(404, 'Unknown pass: no pass of this tenant has that code');

/**
 * Decides and records one scan: one statement, or part of the caller's transaction when `db` is
 * one. If another door changed the pass between the statement's snapshot and its UPDATE, the
 * statement wrote nothing and runs again on a fresh snapshot.
 */
async function scanPass(
  db: Kysely<Database>,
  caller: Caller,
  request: ScanRequest,
  publicUrl: string,
): Promise<ScanAnswer> {
  const code = extractPassCode(request.code);
  if (!PASS_CODE_PATTERN.test(code)) throw unknownPass();
  const input = {
    tenantId: caller.tenant.id,
    code,
    apiKeyId: caller.key.id,
    device: request.device || null,
    scanId: newId('scan'),
    publicUrl,
    now: new Date(),
  };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const pass = await scanPassOnce(db, input);
    if (!pass) throw unknownPass();
    if (pass.recorded) return presentScan(pass, input.scanId, input.now);
  }
  throw new ApiError(409, 'The pass kept changing while it was scanned; scan it again');
}

function presentScan(pass: ScannedPassRow, scanId: string, now: Date): ScanAnswer {
  return {
    success: pass.result === 'success',
    result: pass.result,
    pass: {
      ...passCore(pass, now),
      clientName: pass.client_name,
      lastAdmittedAt: toIso(pass.last_admitted_at),
    },
    scan: { id: scanId, scannedAt: now.toISOString() },
  };
}

export function scanRoutes({ db, publicUrl }: Services) {
  return createRouter().openapi(scanRoute, async (c) => {
    const request = c.req.valid('json');
    const answer = await commitStatement(c, db, async (executor) => ({
      status: 200 as const,
      body: await scanPass(executor, c.get('caller'), request, publicUrl),
    }));
    return c.json(answer.body, answer.status);
  });
}
