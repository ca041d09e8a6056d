import { type Expression, expressionBuilder, sql } from 'kysely';
import type { Database } from '../../db/schema';
import { reportedStatusSql } from '../../domain/pass-sql';

// The JSON that the scan's events carry, built in SQL: the scan writes them in the statement
// that decides it, with no round trip in which TypeScript could build them. This module is the
// only place SQL builds JSON. `present-sql.test.ts` holds each builder on random passes to its
// twin: `passListItemSql` to `presentPassListItem` (present.ts), `scanRecordSql` to the
// `ScanRecord` schema of `@passgate/shared`.
//
// Every expression here reads a row named `passes` that has the columns of the passes table
// plus `client_name` and `client_email` from its client.

/** `Date.prototype.toISOString()` in SQL: UTC, milliseconds, `Z` (years 1 to 9999). */
export const isoSql = (value: Expression<Date | null>) =>
  sql<string | null>`to_char(${value} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const column = <T = unknown>(name: string) => sql.ref<T>(`passes.${name}`);

/** `publicPassUrl(publicUrl, pass)` in SQL. */
const publicUrlSql = (publicUrl: string | Expression<string>) =>
  sql<string>`${publicUrl}::text || '/p/' || ${column('code')} || '?token=' || ${column('public_token')}`;

/** `presentPassListItem(row, publicUrl, now)` as a jsonb expression. */
export function passListItemSql(
  publicUrl: string | Expression<string>,
  now: Date | Expression<Date>,
) {
  const eb = expressionBuilder<Database, 'passes'>();
  return sql<Record<string, unknown>>`jsonb_build_object(
    'id', ${column('id')},
    'code', ${column('code')},
    'name', ${column('name')},
    'type', ${column('type')},
    'status', ${reportedStatusSql(eb, now)},
    'usagesCount', ${column('usages_count')},
    'maxUsages', ${column('max_usages')},
    'validFrom', ${isoSql(column<Date | null>('valid_from'))},
    'validUntil', ${isoSql(column<Date | null>('valid_until'))},
    'client', CASE WHEN ${column('client_name')} IS NULL THEN NULL
              ELSE jsonb_build_object('name', ${column('client_name')}, 'email', ${column('client_email')}) END,
    'publicUrl', ${publicUrlSql(publicUrl)},
    'createdAt', ${isoSql(column<Date>('created_at'))}
  )`;
}

/**
 * The `pass.scanned` event's data (`ScanRecord`), as a jsonb expression, at the scan's instant.
 * The row named `passes` also has the scan's `scan_id`, `result`, `device` and `device_id`.
 */
export function scanRecordSql(now: Expression<Date>) {
  const eb = expressionBuilder<Database, 'passes'>();
  return sql<Record<string, unknown>>`jsonb_build_object(
    'id', ${column('scan_id')},
    'passId', ${column('id')},
    'code', ${column('code')},
    'name', ${column('name')},
    'type', ${column('type')},
    'result', ${column('result')},
    'success', ${column('result')} = 'success',
    'status', ${reportedStatusSql(eb, now)},
    'usagesCount', ${column('usages_count')},
    'maxUsages', ${column('max_usages')},
    'clientName', ${column('client_name')},
    'device', ${column('device')},
    'deviceId', ${column('device_id')},
    'offline', false,
    'conflict', NULL,
    'scannedAt', ${isoSql(now)}
  )`;
}
