import type { ScanRejection, ScanResult } from '@passgate/shared';
import { admit, evaluateScan } from '@passgate/shared/core';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database, ScanRow } from '../../db/schema';
import { newId } from '../../domain/ids';
import { unadmitSql } from '../../domain/pass-sql';
import { type NewEvent, recordEvents } from '../../events';
import { statusChangeEvents } from '../passes/present';
import { selectPasses } from '../passes/queries';
import { paginate } from '../support';
import { scanRecordOf } from './present';

/** A scan decided on a phone while the server was out of reach, as the phone uploads it. */
export interface Upload {
  tenantId: string;
  code: string;
  apiKeyId: string | null;
  deviceId: string | null;
  device: string | null;
  idempotencyKey: string | null;
  /** When it scanned: the device's clock, corrected by its skew (see `onServerClock`). */
  scannedAt: Date;
  /** How far `scannedAt` was moved from what the device said; null when not. */
  clockCorrectedMs: number | null;
  /** What the phone decided. */
  localResult: ScanResult;
}

/**
 * Scans with what a list of them shows: the pass's code and name, its client's name and the
 * door's name. Filtered by tenant.
 */
function selectScans(db: Kysely<Database>, tenantId: string) {
  return db
    .selectFrom('scans')
    .innerJoin('passes', 'passes.id', 'scans.pass_id')
    .leftJoin('clients', 'clients.id', 'passes.client_id')
    .leftJoin('devices', 'devices.id', 'scans.device_id')
    .selectAll('scans')
    .select([
      'passes.code',
      'passes.name as pass_name',
      'clients.name as client_name',
      'devices.name as device_name',
    ])
    .where('scans.tenant_id', '=', tenantId);
}

/** A scan row with what its answers show of its pass and its door. */
export async function findScans(
  db: Kysely<Database>,
  tenantId: string,
  where: { id: string } | { apiKeyId: string; idempotencyKey: string },
) {
  let query = selectScans(db, tenantId);
  query =
    'id' in where
      ? query.where('scans.id', '=', where.id)
      : query
          .where('scans.api_key_id', '=', where.apiKeyId)
          .where('scans.idempotency_key', '=', where.idempotencyKey);
  return query.executeTakeFirst();
}
export type ScanWithPass = NonNullable<Awaited<ReturnType<typeof findScans>>>;

/**
 * Records an uploaded offline scan as it happened. An offline admit counts a use whatever the
 * rule says now: the guest is inside. When the server's rule (at the scan's time, on the pass as
 * it stands) refuses it, the scan is a conflict, with the server's reason, and emits
 * `scan.conflict`. An offline refusal changes no count. Undefined when no pass has the code.
 */
export async function recordUpload(
  trx: Transaction<Database>,
  upload: Upload,
  now: Date,
  publicUrl: string,
) {
  const before = await selectPasses(trx, upload.tenantId)
    .where('passes.code', '=', upload.code)
    .forUpdate('passes')
    .executeTakeFirst();
  if (!before) return undefined;
  const serverResult = evaluateScan(before, upload.scannedAt);
  const admitted = upload.localResult === 'success';
  const conflict: ScanRejection | null =
    admitted && serverResult !== 'success' ? serverResult : null;
  let pass = before;
  if (admitted) {
    // A revoked pass stays revoked; a single one is spent.
    const spent = admit(before);
    const status = before.status === 'revoked' ? 'revoked' : spent.status;
    const lastAdmittedAt =
      before.last_admitted_at && before.last_admitted_at > upload.scannedAt
        ? before.last_admitted_at
        : upload.scannedAt;
    await trx
      .updateTable('passes')
      .set({
        usages_count: spent.usages_count,
        status,
        last_admitted_at: lastAdmittedAt,
        updated_at: now,
      })
      .where('id', '=', before.id)
      .execute();
    pass = {
      ...before,
      usages_count: spent.usages_count,
      status,
      last_admitted_at: lastAdmittedAt,
    };
  }
  const scan = await trx
    .insertInto('scans')
    .values({
      id: newId('scan'),
      tenant_id: upload.tenantId,
      pass_id: pass.id,
      api_key_id: upload.apiKeyId,
      device: upload.device,
      device_id: upload.deviceId,
      result: upload.localResult,
      scanned_at: upload.scannedAt,
      received_at: now,
      offline: true,
      conflict,
      idempotency_key: upload.idempotencyKey,
      clock_corrected_ms: upload.clockCorrectedMs,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const record = scanRecordOf(scan, pass, now);
  const events: NewEvent[] = [
    { type: 'pass.scanned', subjectId: pass.id, data: record },
    ...statusChangeEvents(before, pass, publicUrl, now),
  ];
  if (conflict) events.push({ type: 'scan.conflict', subjectId: pass.id, data: record });
  await recordEvents(trx, upload.tenantId, events, now);
  return { scan, pass };
}

/** Why a scan cannot be annulled by this caller, or what annulling it did. */
export type AnnulOutcome =
  | { ok: true; scan: ScanWithPass }
  | {
      ok: false;
      reason: 'unknown' | 'not_admitted' | 'other_device' | 'too_late' | 'before_scan';
    };

/** A door may undo its own admit for this long after it scanned. */
export const ANNUL_WINDOW_MS = 15 * 60 * 1000;

/**
 * Why a door may not undo this admit at `at` (its clock when it undid it), if it may not. The
 * undo must come after the scan and within 15 minutes of it; and the server must hear of it
 * within 15 minutes of `at`, or of receiving the scan itself (an offline scan and its undo
 * uploaded together). A door cannot reach back further by naming an earlier time.
 */
export function doorAnnulRefusal(
  scan: Pick<ScanRow, 'scanned_at' | 'received_at'>,
  at: Date,
  now: Date,
): 'before_scan' | 'too_late' | undefined {
  if (at.getTime() < scan.scanned_at.getTime()) return 'before_scan';
  if (at.getTime() - scan.scanned_at.getTime() > ANNUL_WINDOW_MS) return 'too_late';
  const heardLate = now.getTime() - at.getTime() > ANNUL_WINDOW_MS;
  const scanHeardLate = now.getTime() - scan.received_at.getTime() > ANNUL_WINDOW_MS;
  if (heardLate && scanHeardLate) return 'too_late';
  return undefined;
}

/**
 * Undoes an admit: gives the use back (a spent single pass is active again, a revoked one stays
 * revoked) and emits `pass.scan_annulled`. A device may annul only its own scans, within 15
 * minutes of scanning (`at`, its clock when it undid an offline scan); a full key any. Annulling
 * twice does it once.
 */
export async function annulScan(
  trx: Transaction<Database>,
  options: {
    tenantId: string;
    scanId: string;
    /** The door asking (its scan key and device), or null for a full key. */
    door: { apiKeyId: string; deviceId: string | null } | null;
    at: Date;
    now: Date;
  },
): Promise<AnnulOutcome> {
  const { tenantId, scanId, door, at, now } = options;
  const scan = await trx
    .selectFrom('scans')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', scanId)
    .forUpdate()
    .executeTakeFirst();
  if (!scan) return { ok: false, reason: 'unknown' };
  const ownScan =
    door === null ||
    scan.api_key_id === door.apiKeyId ||
    (door.deviceId !== null && scan.device_id === door.deviceId);
  if (!ownScan) return { ok: false, reason: 'other_device' };
  if (scan.result !== 'success') return { ok: false, reason: 'not_admitted' };
  if (scan.annulled_at === null) {
    if (door !== null) {
      const refused = doorAnnulRefusal(scan, at, now);
      if (refused) return { ok: false, reason: refused };
    }
    await trx
      .updateTable('passes')
      .set({
        ...unadmitSql,
        updated_at: now,
      })
      .where('id', '=', scan.pass_id)
      .execute();
    const pass = await selectPasses(trx, tenantId)
      .where('passes.id', '=', scan.pass_id)
      .executeTakeFirstOrThrow();
    const annulled = await trx
      .updateTable('scans')
      .set({ annulled_at: now })
      .where('id', '=', scan.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordEvents(
      trx,
      tenantId,
      [
        {
          type: 'pass.scan_annulled',
          subjectId: pass.id,
          data: { ...scanRecordOf(annulled, pass, now), annulledAt: now.toISOString() },
        },
      ],
      now,
    );
  }
  const found = await findScans(trx, tenantId, { id: scan.id });
  return found ? { ok: true, scan: found } : { ok: false, reason: 'unknown' };
}

export interface ScanFilters {
  passId?: string | undefined;
  deviceId?: string | undefined;
  result?: ScanResult | undefined;
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
  return paginate(query.orderBy('scans.received_at', 'desc').orderBy('scans.id', 'desc'), page);
}

export type { ScanRow };

/**
 * Where a live scan stream stands: every scan written by a transaction with an id from `from` on
 * is still to be read (some of them may have been sent already). `from` only moves up to the
 * oldest transaction running when a read began, so no scan that commits later is skipped.
 */
export const STREAM_CURSOR = /^s1\.(\d{1,20})$/;

/**
 * The tenant's scans written from transaction `from` on, in the order `(stream_xid, id)`, after
 * `after` (within one read of many pages), at most `limit`.
 */
export async function streamScans(
  db: Kysely<Database>,
  tenantId: string,
  from: string,
  after: { xid: string; id: string } | null,
  limit: number,
) {
  let query = selectScans(db, tenantId)
    .select(sql<string>`scans.stream_xid::text`.as('stream_xid'))
    .where(sql<boolean>`scans.stream_xid >= ${from}::xid8`);
  if (after) {
    query = query.where(
      sql<boolean>`(scans.stream_xid, scans.id) > (${after.xid}::xid8, ${after.id})`,
    );
  }
  return query.orderBy(sql`scans.stream_xid`).orderBy('scans.id').limit(limit).execute();
}

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
