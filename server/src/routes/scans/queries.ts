import type { RecordedScanResult } from '@passgate/shared';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema';
import { selectScans } from '../../domain/scans/find';
import { paginate } from '../support';

export interface ScanFilters {
  passId?: string | undefined;
  deviceId?: string | undefined;
  result?: RecordedScanResult | undefined;
  offline?: boolean | undefined;
  conflict?: boolean | undefined;
  since?: Date | undefined;
}

/** The tenant's scans, newest received first. */
export async function listScans(
  db: Kysely<Database>,
  tenantId: string,
  filters: ScanFilters,
  page: { page: number; limit: number },
) {
  let query = selectScans(db, tenantId);
  if (filters.passId !== undefined) query = query.where('scans.pass_id', '=', filters.passId);
  if (filters.deviceId !== undefined) query = query.where('scans.device_id', '=', filters.deviceId);
  if (filters.result !== undefined) query = query.where('scans.result', '=', filters.result);
  if (filters.offline !== undefined) query = query.where('scans.offline', '=', filters.offline);
  if (filters.conflict !== undefined) {
    query = query.where('scans.conflict', filters.conflict ? 'is not' : 'is', null);
  }
  if (filters.since !== undefined) query = query.where('scans.received_at', '>', filters.since);
  return paginate(db, query.orderBy('scans.received_at', 'desc').orderBy('scans.id', 'desc'), page);
}

/**
 * Where a live scan stream stands: every scan written by a transaction with an id from `from` on
 * is still to be read (some of them may have been sent already). `from` only moves up to the
 * oldest transaction running when a read began, so no scan that commits later is skipped.
 */
export const STREAM_CURSOR = /^s1\.(\d{1,20})$/;

/** Each door's admits, refusals and conflicts since `since`, and admits per 5 minutes. */
export async function summarizeScans(db: Kysely<Database>, tenantId: string, since: Date) {
  const doors = await db
    .selectFrom('scans')
    .leftJoin('devices', 'devices.id', 'scans.device_id')
    .select([
      'scans.device_id',
      'devices.name as device_name',
      sql<number>`count(*) FILTER (WHERE scans.result = 'success' AND scans.annulled_at IS NULL)::int`.as(
        'admits',
      ),
      sql<number>`count(*) FILTER (WHERE scans.result <> 'success')::int`.as('refusals'),
      sql<number>`count(*) FILTER (WHERE scans.conflict IS NOT NULL)::int`.as('conflicts'),
    ])
    .where('scans.tenant_id', '=', tenantId)
    .where('scans.scanned_at', '>=', since)
    .groupBy(['scans.device_id', 'devices.name'])
    .orderBy('devices.name')
    .execute();
  const admissions = await db
    .selectFrom('scans')
    .select([
      sql<Date>`date_bin('5 minutes', scans.scanned_at, ${since}::timestamptz)`.as('at'),
      sql<number>`count(*)::int`.as('count'),
    ])
    .where('scans.tenant_id', '=', tenantId)
    .where('scans.scanned_at', '>=', since)
    .where('scans.result', '=', 'success')
    .where('scans.annulled_at', 'is', null)
    .groupBy(sql`1`)
    .orderBy(sql`1`)
    .execute();
  return { doors, admissions };
}
