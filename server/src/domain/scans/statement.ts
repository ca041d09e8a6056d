import type { ScanDirection, ScanResult } from '@passgate/shared';
import { CompiledQuery, expressionBuilder, type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema';
import { newId } from '../ids';
import {
  admitSql,
  isReentrySql,
  type PlaceSql,
  reportedStatusSql,
  scanResultSql,
} from '../pass-sql';
import type { RuleColumns } from '../passes/present';
import { isoSql, passListItemSql, scanRecordSql } from '../passes/present-sql';

/** One door's scan, as the statement below takes it. */
export interface ScanInput {
  tenantId: string;
  code: string;
  apiKeyId: string | null;
  device: string | null;
  /** The door device whose credential made the scan, if any. */
  deviceId: string | null;
  /** The request's Idempotency-Key, kept on the scan row under a unique index. */
  idempotencyKey: string | null;
  scanId: string;
  /** The location a key that is not a door named; a door scans at its own (if it has one). */
  locationId: string | null;
  direction: ScanDirection;
}

/** The pass as a scan left it, and what the scan decided. */
export interface ScannedPassRow extends RuleColumns {
  id: string;
  code: string;
  name: string | null;
  last_admitted_at: Date | null;
  client_name: string | null;
  result: ScanResult;
  /** The `scanId` of the input this row answers. */
  scan_id: string;
  direction: ScanDirection;
  /** Where the scan counted: its own location, else the pass's. */
  scan_location_id: string | null;
}

/**
 * The statement's parameters by position, one array element per scan (the arrays are read in
 * step by `unnest`): its text never changes, so it is prepared once.
 */
const param = {
  tenantIds: sql.raw('$1::text[]'),
  codes: sql.raw('$2::text[]'),
  apiKeyIds: sql.raw('$3::text[]'),
  devices: sql.raw('$4::text[]'),
  scanIds: sql.raw('$5::text[]'),
  scannedEventIds: sql.raw('$6::text[]'),
  changedEventIds: sql.raw('$7::text[]'),
  now: sql.raw<Date>('$8::timestamptz'),
  publicUrl: sql.raw<string>('$9::text'),
  deviceIds: sql.raw('$10::text[]'),
  idempotencyKeys: sql.raw('$11::text[]'),
  locationIds: sql.raw('$12::text[]'),
  directions: sql.raw('$13::text[]'),
};
const parameters = (scans: readonly ScanInput[], now: Date, publicUrl: string) => [
  scans.map((scan) => scan.tenantId),
  scans.map((scan) => scan.code),
  scans.map((scan) => scan.apiKeyId),
  scans.map((scan) => scan.device),
  scans.map((scan) => scan.scanId),
  scans.map(() => newId('evt')),
  scans.map(() => newId('evt')),
  now,
  publicUrl,
  scans.map((scan) => scan.deviceId),
  scans.map((scan) => scan.idempotencyKey),
  scans.map((scan) => scan.locationId),
  scans.map((scan) => scan.direction),
];

/**
 * The atomic heart of the product: any number of scans of different passes decided and
 * recorded in one statement (one round trip, one implicit transaction, or part of the caller's
 * when `db` is a transaction).
 *
 * - `locked` finds each scan's pass by tenant and code and locks it, in the order of the codes,
 *   so that two statements scanning some of the same passes can never wait for each other in a
 *   cycle. (A lateral lookup per scan: the plan is then an index lookup per code whatever
 *   PostgreSQL knows of the table, and the locks are taken in the order of `input`.) Under
 *   concurrency PostgreSQL hands over the newest version of a row it had to wait for, and
 *   `result` (the scan rule at `now`) is worked out on that version: a single pass is admitted
 *   exactly once however many doors and servers scan it;
 * - the scan's place (`ScanPlace`): its location (the one its key named, or its door's) is
 *   where it is, and that, else the pass's, is where it counts; the
 *   pass's presence there is read locked (after the pass's lock, so a concurrent scan's change
 *   of it is seen), and that location's `reentry`;
 * - `admitted` counts a use on every pass whose scan succeeded as an entry that is not a
 *   re-entry. It is an upsert of rows that all exist, so that each is found by its primary key
 *   one at a time (an UPDATE joined to `locked` could be planned as a scan of every pass, and a
 *   prepared statement keeps its plan);
 * - `moved` records each successful scan's presence: inside after an entry, outside after an
 *   exit;
 * - `decided` is each scan's pass as the scan left it, with its client; from it the scan rows,
 *   `pass.scanned`, and `pass.status_changed` when admitting used the pass up, are inserted
 *   (the `events` trigger fans them out to webhook deliveries).
 *
 * A scan whose code no pass of its tenant has gets no row, and writes nothing. Each pass may
 * appear once in one statement: a second scan of it would be decided on the same row version.
 *
 * The leading comment names the prepared statement (see `db/prepared.ts`).
 */
function scanStatement() {
  const eb = expressionBuilder<Database, 'passes'>();
  const { now } = param;
  const reported = reportedStatusSql(eb, now);
  const nowIso = isoSql(now);
  const place: PlaceSql = {
    locationId: sql.ref('door.location_id'),
    direction: sql.ref('input.direction'),
    inside: sql.ref('presence.inside'),
    reentry: sql.ref('location.reentry'),
  };
  return sql<ScannedPassRow>`/* statement: scan_passes */
    WITH input AS (
      SELECT * FROM unnest(${param.tenantIds}, ${param.codes}, ${param.apiKeyIds}, ${param.devices},
                           ${param.scanIds}, ${param.scannedEventIds}, ${param.changedEventIds},
                           ${param.deviceIds}, ${param.idempotencyKeys}, ${param.locationIds},
                           ${param.directions})
          AS input (tenant_id, code, api_key_id, device, scan_id, scanned_event_id, changed_event_id,
                    device_id, idempotency_key, location_id, direction)
       ORDER BY code
    ), locked AS (
      SELECT passes.pass, input.api_key_id AS scanned_by, input.device, input.scan_id,
             input.scanned_event_id, input.changed_event_id, input.device_id,
             input.idempotency_key, input.direction, counts_at.location_id AS scan_location_id,
             ${scanResultSql(eb, now, place)} AS result,
             ${isReentrySql(place)} AS reentering
        FROM input CROSS JOIN LATERAL (
               SELECT *, passes AS pass FROM passes
                WHERE passes.tenant_id = input.tenant_id AND passes.code = input.code
                  FOR UPDATE) AS passes
        CROSS JOIN LATERAL (
               SELECT coalesce(input.location_id,
                               (SELECT devices.location_id FROM devices
                                 WHERE devices.id = input.device_id)) AS location_id) AS door
        CROSS JOIN LATERAL (
               SELECT coalesce(door.location_id, passes.location_id) AS location_id) AS counts_at
        LEFT JOIN LATERAL (
               SELECT presence.inside FROM presence
                WHERE presence.pass_id = passes.id AND presence.location_id = counts_at.location_id
                  FOR UPDATE) AS presence ON true
        LEFT JOIN LATERAL (
               SELECT coalesce(bool_or(locations.reentry), false) AS reentry FROM locations
                WHERE locations.tenant_id = passes.tenant_id
                  AND locations.id = counts_at.location_id) AS location ON true
    ), admitted AS (
      INSERT INTO passes SELECT (pass).* FROM locked
       WHERE result = 'success' AND direction = 'entry' AND NOT reentering
          ON CONFLICT (id) DO UPDATE
         SET usages_count = ${admitSql.usages_count}, status = ${admitSql.status},
             last_admitted_at = ${now}, updated_at = ${now}
      RETURNING passes AS pass
    ), moved AS (
      INSERT INTO presence (tenant_id, pass_id, location_id, inside, changed_at)
      SELECT (pass).tenant_id, (pass).id, scan_location_id, direction = 'entry', ${now}
        FROM locked WHERE result = 'success' AND scan_location_id IS NOT NULL
          ON CONFLICT (pass_id, location_id) DO UPDATE
         SET inside = excluded.inside, changed_at = excluded.changed_at
    ), decided AS (
      SELECT (coalesce(admitted.pass, locked.pass)).*, locked.scanned_by, locked.device,
             locked.scan_id, locked.scanned_event_id, locked.changed_event_id, locked.result,
             locked.device_id, locked.idempotency_key, locked.direction, locked.scan_location_id,
             (admitted.pass).id IS NOT NULL AS counted,
             client.name AS client_name, client.email AS client_email
        FROM locked
        LEFT JOIN admitted ON (admitted.pass).id = (locked.pass).id
        -- A lookup by primary key per scan in every plan (OFFSET 0 keeps it from being
        -- flattened into a join that a plan made on few clients could answer with a scan).
        LEFT JOIN LATERAL (
               SELECT clients.name, clients.email FROM clients
                WHERE clients.id = (locked.pass).client_id OFFSET 0) AS client ON true
    ), scan AS (
      INSERT INTO scans (id, tenant_id, pass_id, api_key_id, device, device_id, idempotency_key,
                         result, scanned_at, received_at, direction, location_id)
      SELECT scan_id, tenant_id, id, scanned_by, device, device_id, idempotency_key, result,
             ${now}, ${now}, direction, scan_location_id
        FROM decided
    ), event AS (
      INSERT INTO events (id, tenant_id, type, subject_id, data, created_at)
      SELECT passes.scanned_event_id, passes.tenant_id, 'pass.scanned', passes.id,
             ${scanRecordSql(now)},
             ${now}
        FROM decided AS passes
      UNION ALL
      SELECT passes.changed_event_id, passes.tenant_id, 'pass.status_changed', passes.id,
             ${passListItemSql(param.publicUrl, now)} || jsonb_build_object(
               'from', 'active', 'to', ${reported}, 'changedAt', ${nowIso}),
             ${now}
        FROM decided AS passes WHERE passes.counted AND ${reported} <> 'active'
    )
    SELECT id, code, name, type, status, usages_count, max_usages, valid_from, valid_until,
           last_admitted_at, location_id, client_name, result, scan_id, direction,
           scan_location_id
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
 * Decides and records scans of different passes at `now` with the statement above, and answers
 * each scan's pass by its `scanId`; a scan missing from the answer found no pass of its tenant
 * with that code, and wrote nothing.
 */
export async function scanPasses(
  db: Kysely<Database>,
  scans: readonly ScanInput[],
  now: Date,
  publicUrl: string,
): Promise<Map<string, ScannedPassRow>> {
  if (new Set(scans.map((scan) => scan.code)).size !== scans.length) {
    throw new Error('A pass may be scanned only once in one statement');
  }
  const { rows } = await db.executeQuery<ScannedPassRow>(
    CompiledQuery.raw(scanStatementText(db), parameters(scans, now, publicUrl)),
  );
  return new Map(rows.map((row) => [row.scan_id, row]));
}
