import type { ScanResult } from '@passgate/shared';
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema';
import { admissible } from '../../domain/pass-sql';
import { eventRows, type NewEvent } from '../../events';
import type { PassWithClient } from '../passes/present';
import { selectPasses } from '../passes/queries';

/**
 * The atomic heart of the product: one conditional UPDATE that admits the pass only if the
 * scan rule allows it at `now`. Under concurrency PostgreSQL re-checks the condition on the
 * newest row version, so a single pass is admitted exactly once however many doors scan it.
 */
export async function admitPass(
  trx: Transaction<Database>,
  tenantId: string,
  code: string,
  now: Date,
): Promise<PassWithClient | undefined> {
  return trx
    .with('admitted', (db) =>
      db
        .updateTable('passes')
        .set((eb) => ({
          usages_count: eb('usages_count', '+', 1),
          status: eb
            .case()
            .when('type', '=', 'single')
            .then('used' as const)
            .else(eb.ref('status'))
            .end(),
          last_admitted_at: now,
          updated_at: now,
        }))
        .where('tenant_id', '=', tenantId)
        .where('code', '=', code)
        .where((eb) => admissible(eb, now))
        .returningAll(),
    )
    .selectFrom('admitted')
    .leftJoin('clients', 'clients.id', 'admitted.client_id')
    .selectAll('admitted')
    .select([
      'clients.name as client_name',
      'clients.email as client_email',
      'clients.phone as client_phone',
    ])
    .executeTakeFirst();
}

export async function findPassByCode(trx: Transaction<Database>, tenantId: string, code: string) {
  return selectPasses(trx, tenantId).where('passes.code', '=', code).executeTakeFirst();
}

/**
 * Records the scan and its events in one statement (one round trip on the hot path), inside
 * the caller's transaction.
 */
export async function recordScan(
  trx: Transaction<Database>,
  scan: {
    id: string;
    tenantId: string;
    passId: string;
    apiKeyId: string;
    device: string | null;
    result: ScanResult;
    at: Date;
  },
  events: NewEvent[],
) {
  await trx
    .with('scan', (db) =>
      db.insertInto('scans').values({
        id: scan.id,
        tenant_id: scan.tenantId,
        pass_id: scan.passId,
        api_key_id: scan.apiKeyId,
        device: scan.device,
        result: scan.result,
        scanned_at: scan.at,
      }),
    )
    .insertInto('events')
    .values(eventRows(scan.tenantId, events, scan.at))
    .execute();
}
