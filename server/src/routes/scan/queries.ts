import type { ScanResult } from '@passgate/shared';
import { CompiledQuery, expressionBuilder, type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema';
import { newId } from '../../domain/ids';
import { admissible, reportedStatusSql, scanResultSql } from '../../domain/pass-sql';
import type { ScannablePass } from '../../domain/scan-rule';
import { isoSql, passListItemSql } from '../passes/present-sql';

export interface ScanInput {
  tenantId: string;
  code: string;
  apiKeyId: string;
  device: string | null;
  scanId: string;
  publicUrl: string;
  now: Date;
}

/** The pass as the scan left it, and what the scan decided. */
export interface ScannedPassRow extends ScannablePass {
  id: string;
  code: string;
  name: string | null;
  last_admitted_at: Date | null;
  client_name: string | null;
  result: ScanResult;
  /**
   * False only when the pass changed between this statement's snapshot and its UPDATE (another
   * door admitted it at the same instant): the statement then wrote nothing and must be run again.
   */
  recorded: boolean;
}

/** The statement's parameters by position: its text never changes, so it is prepared once. */
const param = {
  tenantId: sql.raw<string>('$1::text'),
  code: sql.raw<string>('$2::text'),
  now: sql.raw<Date>('$3::timestamptz'),
  apiKeyId: sql.raw<string>('$4::text'),
  device: sql.raw<string | null>('$5::text'),
  scanId: sql.raw<string>('$6::text'),
  scannedEventId: sql.raw<string>('$7::text'),
  changedEventId: sql.raw<string>('$8::text'),
  publicUrl: sql.raw<string>('$9::text'),
};
const parameters = (input: ScanInput) => [
  input.tenantId,
  input.code,
  input.now,
  input.apiKeyId,
  input.device,
  input.scanId,
  newId('evt'),
  newId('evt'),
  input.publicUrl,
];

/**
 * The atomic heart of the product, in one statement (one round trip, one implicit transaction,
 * or part of the caller's when `db` is a transaction):
 *
 * - `admitted` is the conditional UPDATE that admits the pass only if the scan rule allows it at
 *   `now`. Under concurrency PostgreSQL re-checks that condition on the newest row version, so a
 *   single pass is admitted exactly once however many doors scan it;
 * - `decided` is the admitted row with its client, or else the pass as `found` in the
 *   statement's snapshot with the rule's reason for refusing it;
 * - the scan row, `pass.scanned`, and `pass.status_changed` when admitting used the pass up, are
 *   inserted from `decided` (the `events` trigger fans them out to webhook deliveries).
 *
 * The leading comment names the prepared statement (see `db/prepared.ts`).
 */
function scanStatement() {
  const eb = expressionBuilder<Database, 'passes'>();
  const { tenantId, code, now } = param;
  const reported = reportedStatusSql(eb, now);
  const nowIso = isoSql(now);
  return sql<ScannedPassRow>`/* statement: scan_pass */
    WITH admitted AS (
      UPDATE passes
         SET usages_count = usages_count + 1,
             status = CASE WHEN type = 'single' THEN 'used' ELSE status END,
             last_admitted_at = ${now}, updated_at = ${now}
       WHERE passes.tenant_id = ${tenantId} AND passes.code = ${code} AND ${admissible(eb, now)}
      RETURNING passes.*
    ), found AS (
      SELECT passes.*, clients.name AS client_name, clients.email AS client_email
        FROM passes LEFT JOIN clients ON clients.id = passes.client_id
       WHERE passes.tenant_id = ${tenantId} AND passes.code = ${code}
    ), decided AS (
      SELECT admitted.*, clients.name AS client_name, clients.email AS client_email,
             'success' AS result, true AS recorded, true AS admitted
        FROM admitted LEFT JOIN clients ON clients.id = admitted.client_id
      UNION ALL
      -- Read only when nothing was admitted (PostgreSQL then skips this branch entirely).
      SELECT passes.*, ${scanResultSql(eb, now)}, NOT ${admissible(eb, now)}, false
        FROM found AS passes
       WHERE NOT EXISTS (SELECT FROM admitted)
    ), scan AS (
      INSERT INTO scans (id, tenant_id, pass_id, api_key_id, device, result, scanned_at)
      SELECT ${param.scanId}, ${tenantId}, id, ${param.apiKeyId}, ${param.device}, result, ${now}
        FROM decided WHERE recorded
    ), event AS (
      INSERT INTO events (id, tenant_id, type, subject_id, data, created_at)
      SELECT ${param.scannedEventId}, ${tenantId}, 'pass.scanned', passes.id,
             jsonb_build_object(
               'id', ${param.scanId}, 'passId', passes.id, 'code', passes.code,
               'name', passes.name, 'type', passes.type, 'result', passes.result,
               'success', passes.result = 'success', 'status', ${reported},
               'usagesCount', passes.usages_count, 'maxUsages', passes.max_usages,
               'clientName', passes.client_name, 'device', ${param.device},
               'scannedAt', ${nowIso}),
             ${now}
        FROM decided AS passes WHERE passes.recorded
      UNION ALL
      SELECT ${param.changedEventId}, ${tenantId}, 'pass.status_changed', passes.id,
             ${passListItemSql(param.publicUrl, now)} || jsonb_build_object(
               'from', 'active', 'to', ${reported}, 'changedAt', ${nowIso}),
             ${now}
        FROM decided AS passes WHERE passes.admitted AND ${reported} <> 'active'
    )
    SELECT id, code, name, type, status, usages_count, max_usages, valid_from, valid_until,
           last_admitted_at, client_name, result, recorded
      FROM decided`;
}

let compiledText: string | undefined;

/** The statement's text, which must hold only the positional parameters above, never a value. */
export function scanStatementText(db: Kysely<Database>): string {
  if (compiledText === undefined) {
    const compiled = scanStatement().compile(db);
    if (compiled.parameters.length > 0) {
      throw new Error('The scan statement must not embed values: they would take its parameters');
    }
    compiledText = compiled.sql;
  }
  return compiledText;
}

/**
 * Decides and records one scan with the statement above. No row: no pass of this tenant has
 * that code, and nothing was written.
 */
export async function scanPassOnce(
  db: Kysely<Database>,
  input: ScanInput,
): Promise<ScannedPassRow | undefined> {
  const { rows } = await db.executeQuery<ScannedPassRow>(
    CompiledQuery.raw(scanStatementText(db), parameters(input)),
  );
  return rows[0];
}
