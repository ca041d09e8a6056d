import {
  PASS_LIST_ITEM_FIELDS,
  type PassFieldSet,
  SCAN_RECORD_PASS_FIELDS,
} from '@passgate/shared';
import { type Expression, expressionBuilder, sql } from 'kysely';
import type { Database } from '../../db/schema';
import { reportedStatusSql } from '../pass-sql';

// The JSON that the scan's events carry, built in SQL: the scan writes them in the statement
// that decides it, with no round trip in which TypeScript could build them. This module is the
// only place SQL builds JSON, from the same sets of fields (`@passgate/shared`'s pass-fields) that
// the TypeScript presenters read. `present-sql.test.ts` holds `fieldsSql` to `presentFields` on
// random passes for every set, and `scanRecordSql` to the `ScanRecord` schema.
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

/**
 * `presentFields(fields, row, { now, publicUrl })` (present.ts) as a jsonb expression over the
 * row named `passes`.
 */
export function fieldsSql(
  fields: PassFieldSet,
  at: { now: Date | Expression<Date>; publicUrl?: string | Expression<string> },
) {
  const eb = expressionBuilder<Database, 'passes'>();
  const pairs = Object.entries(fields).map(([key, { column: name, read }]) => {
    const value = (() => {
      switch (read) {
        case 'value':
          return column(name);
        case 'instant':
          return isoSql(column<Date | null>(name));
        case 'reportedStatus':
          return reportedStatusSql(eb, at.now);
        case 'publicUrl':
          return publicUrlSql(at.publicUrl ?? '');
        case 'client':
          return sql`CASE WHEN ${column('client_name')} IS NULL THEN NULL
            ELSE jsonb_build_object('name', ${column('client_name')}, 'email', ${column('client_email')}) END`;
      }
    })();
    return sql`${sql.lit(key)}, ${value}`;
  });
  return sql<Record<string, unknown>>`jsonb_build_object(${sql.join(pairs)})`;
}

/** `presentPassListItem(row, publicUrl, now)` as a jsonb expression. */
export const passListItemSql = (
  publicUrl: string | Expression<string>,
  now: Date | Expression<Date>,
) => fieldsSql(PASS_LIST_ITEM_FIELDS, { now, publicUrl });

/**
 * The `pass.scanned` event's data (`ScanRecord`), as a jsonb expression, at the scan's instant.
 * The row named `passes` also has the scan's `scan_id`, `result`, `device`, `device_id`,
 * `direction` and `scan_location_id`.
 */
export function scanRecordSql(now: Expression<Date>) {
  return sql<Record<string, unknown>>`jsonb_build_object(
    'id', ${column('scan_id')},
    'result', ${column('result')},
    'success', ${column('result')} = 'success',
    'device', ${column('device')},
    'deviceId', ${column('device_id')},
    'offline', false,
    'direction', ${column('direction')},
    'locationId', ${column('scan_location_id')},
    'conflict', NULL,
    'scannedAt', ${isoSql(now)}
  ) || ${fieldsSql(SCAN_RECORD_PASS_FIELDS, { now })}`;
}
