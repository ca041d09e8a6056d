import type { ScanAnswer } from '@passgate/shared';
import {
  type ParsedSignedCode,
  type ScanDirection,
  type SignatureProblem,
  statementKey,
  statementOf,
} from '@passgate/shared/core';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { recordEvents } from '../../events';
import type { SigningKeys } from '../../services/signing-keys';
import { newId } from '../ids';
import { signableOf } from '../passes/present';
import { selectPasses } from '../passes/rows';
import { scanLocationOf } from './place';
import { presentRecordedScan, scanRecordOf } from './present';
import type { ScanSource } from './upload';

// A scan by signed code: the signature is checked against the tenant's keys and the statement
// against the pass as it stands; a code that fails either is refused as `invalid_signature`,
// recorded as a scan of the pass it names. One that passes is scanned by its plain code.

/** The pass a signed code names, and why the code is refused (undefined: it is good). */
export async function checkSignedCode(
  db: Kysely<Database>,
  signingKeys: SigningKeys,
  tenantId: string,
  signed: ParsedSignedCode,
) {
  const pass = await selectPasses(db, tenantId)
    .where('passes.code', '=', signed.statement.code)
    .executeTakeFirst();
  if (!pass) return { pass: undefined, problem: undefined };
  let problem: SignatureProblem | undefined = await signingKeys.check(db, tenantId, signed);
  const current = statementOf(signableOf(pass));
  if (!problem && (!current || statementKey(current) !== statementKey(signed.statement))) {
    problem = 'replaced';
  }
  return { pass, problem };
}

/**
 * Records a refused signed code as a scan of its pass, with its `pass.scanned` event in the same
 * transaction, and answers it.
 */
export async function recordSignatureRefusal(
  db: Kysely<Database>,
  refusal: ScanSource & {
    pass: NonNullable<Awaited<ReturnType<typeof checkSignedCode>>['pass']>;
    problem: SignatureProblem;
    direction: ScanDirection;
    locationId: string | null;
  },
  now: Date,
): Promise<ScanAnswer> {
  const at = await scanLocationOf(db, refusal);
  const scan = await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('scans')
      .values({
        id: newId('scan'),
        tenant_id: refusal.tenantId,
        pass_id: refusal.pass.id,
        api_key_id: refusal.apiKeyId,
        device: refusal.device,
        device_id: refusal.deviceId,
        idempotency_key: refusal.idempotencyKey,
        result: 'invalid_signature',
        scanned_at: now,
        received_at: now,
        direction: refusal.direction,
        location_id: at ?? refusal.pass.location_id,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const recorded = { ...row, pass_id: refusal.pass.id, result: 'invalid_signature' as const };
    await recordEvents(trx, refusal.tenantId, [
      {
        type: 'pass.scanned',
        subjectId: refusal.pass.id,
        data: scanRecordOf(recorded, refusal.pass, now),
      },
    ]);
    return recorded;
  });
  return { ...presentRecordedScan(scan, refusal.pass, now), signature: refusal.problem };
}
