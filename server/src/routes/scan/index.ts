import { extractPassCode, ScanAnswer, ScanRequest } from '@passgate/shared';
import { isSignedCode, parseSignedCode } from '@passgate/shared/core';
import { ACCESS, defineRoute } from '../../access';
import { PASS_CODE_PATTERN } from '../../domain/ids';
import { codeTypedAs, findPass } from '../../domain/passes/rows';
import { findScans } from '../../domain/scans/find';
import {
  doorNamesLocation,
  offlineScanTime,
  recordOfflineScan,
  unknownPass,
} from '../../domain/scans/offline';
import { passScanOf, presentRecordedScan } from '../../domain/scans/present';
import { checkSignedCode, recordSignatureRefusal } from '../../domain/scans/signed';
import { recordUnknownExit, type UnknownExit } from '../../domain/scans/unknown';
import { commitChange, idempotencyKeyReused } from '../../middleware/idempotency';
import type { Services } from '../../services';
import { deviceTimeOf } from '../../services/device-presence';
import { assertLocationsUsable } from '../locations/queries';
import { createRouter, errorResponses, json, jsonBody } from '../support';

const scanRoute = defineRoute({
  method: 'post',
  path: '/scan',
  operationId: 'scanPass',
  access: ACCESS.door,
  tags: ['Scan'],
  summary: 'Scan a pass',
  description:
    'Checks, in order: unknown code (404), revoked, wrong_location (a pass bound to another ' +
    'location than the door’s), already_used, not_yet_valid, expired, max_usages_reached; ' +
    'else admits the pass. An `exit` is refused only as revoked or wrong_location, and counts ' +
    'no use; an entry where the location has `reentry` and the pass last went out skips the ' +
    'checks of uses and counts none. Every attempt on a known pass is recorded and ' +
    'emits `pass.scanned` (and `pass.status_changed` when admitting it used the pass up). ' +
    'Rejections answer 200 with `success: false`.\n\n' +
    'With `offline: true` it records a scan a phone decided while the server was out of reach, ' +
    'as it happened: an offline admit counts a use even where the rule now refuses it, and is ' +
    'then a conflict (`conflict` names the reason, and `scan.conflict` is emitted). A scan sent ' +
    'with an Idempotency-Key counts once however late it is sent again: the scan keeps the key.',
  request: { body: jsonBody(ScanRequest) },
  responses: {
    200: json(ScanAnswer, 'The decision, admitted or not'),
    ...errorResponses(400, 401, 403, 404, 409, 415, 422, 429),
  },
});

/** A change that found no pass by the code: rolled back, then answered 404. */
class NoSuchPass extends Error {}

/** The operation, as the OpenAPI document and the client's types see it. */
export const scanOperation = scanRoute;

/** What makes two scan bodies one scan for the Idempotency-Key: the code they carry. */
export function scanIdentity(body: string): string {
  try {
    const { code } = JSON.parse(body) as { code?: unknown };
    return typeof code === 'string' ? `code ${extractPassCode(code.trim())}` : body;
  } catch {
    return body;
  }
}

export function scanRoutes({ db, scans, publicUrl, signingKeys }: Services) {
  return createRouter().openapi(scanRoute, async (c) => {
    const request = c.req.valid('json');
    const text = extractPassCode(request.code);
    // A signed code is scanned by the plain code it states, once its signature is checked.
    const signed = isSignedCode(text) ? parseSignedCode(text) : undefined;
    if (isSignedCode(text) && !signed) throw unknownPass();
    const code = signed ? signed.statement.code : text;
    if (!PASS_CODE_PATTERN.test(code)) throw unknownPass();
    const { tenant, key } = c.get('caller');
    const claim = c.get('idempotency');
    const now = new Date();
    if (request.locationId !== undefined) {
      if (key?.device) {
        throw doorNamesLocation();
      }
      await assertLocationsUsable(db, tenant.id, [request.locationId]);
    }

    // A scan recorded under this key already (sent again after the 24-hour answer cache).
    if (claim && key) {
      const recorded = await findScans(db, tenant.id, {
        apiKeyId: key.id,
        idempotencyKey: claim.key,
      });
      if (recorded) {
        if (recorded.pass_code.toUpperCase() !== code.toUpperCase()) throw idempotencyKeyReused();
        if (recorded.pass_id === null) throw unknownPass();
        const pass = await findPass(db, tenant.id, recorded.pass_id);
        if (pass) return c.json(presentRecordedScan(passScanOf(recorded), pass, now), 200);
      }
    }

    const { offline, scannedAt: deviceTime, localResult } = request;
    const direction = request.direction ?? 'entry';
    /** Who scanned, and where, for the scans recorded here rather than by the statement. */
    const source = {
      tenantId: tenant.id,
      code,
      apiKeyId: key?.id ?? null,
      deviceId: key?.device?.id ?? null,
      device: request.device || null,
      idempotencyKey: claim?.key ?? null,
      locationId: request.locationId ?? null,
    };
    if (signed && !offline) {
      const { pass, problem } = await checkSignedCode(db, signingKeys, tenant.id, signed);
      if (!pass) throw unknownPass();
      if (problem) {
        const refusal = { ...source, pass, problem, direction };
        return c.json(await recordSignatureRefusal(db, refusal, now), 200);
      }
    }
    const unknownExit = (scannedAt: Date, clockCorrectedMs: number | null): UnknownExit => ({
      ...source,
      scannedAt,
      offline: Boolean(offline),
      clockCorrectedMs,
    });
    if (offline && deviceTime && localResult) {
      const time = offlineScanTime(
        new Date(deviceTime),
        deviceTimeOf(c.req.header('x-device-time')),
        now,
      );
      const upload = { ...source, ...time, localResult, direction };
      const answer = await commitChange(c, db, async (trx) => {
        const recorded = await recordOfflineScan(trx, upload, now, publicUrl);
        if (!recorded) throw new NoSuchPass();
        return {
          status: 200 as const,
          body: presentRecordedScan(recorded.scan, recorded.pass, now),
        };
      }).catch(async (error: unknown) => {
        if (!(error instanceof NoSuchPass)) throw error;
        if (direction === 'exit') {
          await recordUnknownExit(db, unknownExit(time.scannedAt, time.clockCorrectedMs), now);
        }
        throw unknownPass();
      });
      return c.json(answer.body, answer.status);
    }

    const scan = (exactCode: string) =>
      scans.scan({
        tenantId: tenant.id,
        code: exactCode,
        apiKeyId: key?.id ?? null,
        device: request.device || null,
        deviceId: key?.device?.id ?? null,
        idempotencyKey: claim?.key ?? null,
        claim,
        direction,
        locationId: request.locationId ?? null,
      });
    // A code that matches no pass exactly may have been typed in the wrong case: the pass whose
    // code it is but for case, if exactly one is, is scanned instead. A scanned QR never needs it.
    let answer = await scan(code);
    if (!answer) {
      const exact = await codeTypedAs(db, tenant.id, code);
      if (exact && exact !== code) answer = await scan(exact);
    }
    if (!answer && direction === 'exit') {
      await recordUnknownExit(db, unknownExit(now, null), now);
    }
    if (!answer) throw unknownPass();
    return c.json(answer, 200);
  });
}
