import {
  CREATED_PASS_FIELDS,
  DOOR_PASS_FIELDS,
  EXPORT_FIELDS,
  PASS_CORE_FIELDS,
  PASS_LIST_ITEM_FIELDS,
  SCAN_RECORD_PASS_FIELDS,
  SCAN_RESULTS,
  SCANNED_PASS_FIELDS,
  ScanRecord,
} from '@passgate/shared';
import { reportedStatus } from '@passgate/shared/core';
import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { arbitraryPass } from '../../../../test/support/arbitrary-pass';
import { newPassRow, useTestDatabase } from '../../../../test/support/test-database';
import { newId, newPublicToken } from '../ids';
import { presentFields, presentPassListItem, ruleColumnsOf, scannableOf } from './present';
import { fieldsSql, passListItemSql, scanRecordSql } from './present-sql';
import { selectPasses } from './rows';

// The scan's events are built in SQL (present-sql.ts); every other event and answer is built in
// TypeScript (present.ts), both from the field sets of `@passgate/shared`. Random passes go into
// a real database and both presenters must say exactly the same thing about each.

/** Every set of the pass's fields that an answer, event, door or export gives. */
const FIELD_SETS = {
  PASS_CORE_FIELDS,
  PASS_LIST_ITEM_FIELDS,
  CREATED_PASS_FIELDS,
  SCANNED_PASS_FIELDS,
  SCAN_RECORD_PASS_FIELDS,
  DOOR_PASS_FIELDS,
  EXPORT_FIELDS,
};
const NOW = new Date('2030-06-15T12:00:00Z');
const PUBLIC_URL = "https://passes.example.com/o'brien";
const database = useTestDatabase();

const anyInstant = fc.date({
  min: new Date('0001-01-01T00:00:00.000Z'),
  max: new Date('9999-12-31T23:59:59.999Z'),
  noInvalidDate: true,
});
const text = fc.string({ unit: 'binary', maxLength: 12 }).map((s) => s.replaceAll('\0', ''));

describe('fieldsSql mirrors presentFields', () => {
  it('gives the same JSON for every set of fields, for random passes with and without a client', async () => {
    const { db } = database.handle;
    const clientId = newId('cli');
    await db
      .insertInto('clients')
      .values({ id: clientId, tenant_id: database.tenantId, name: 'Zoë "Q" Ünal', email: null })
      .execute();
    const passes = fc.sample(
      fc.record({
        rule: arbitraryPass,
        name: fc.option(text, { nil: null }),
        note: fc.option(text, { nil: null }),
        withClient: fc.boolean(),
        validFrom: fc.option(anyInstant, { nil: null }),
        lastAdmittedAt: fc.option(anyInstant, { nil: null }),
        createdAt: anyInstant,
        micros: fc.integer({ min: 0, max: 999 }),
      }),
      200,
    );
    await db
      .insertInto('passes')
      .values(
        passes.map((pass) => ({
          ...newPassRow(database.tenantId, {
            ...ruleColumnsOf(pass.rule),
            valid_from: pass.validFrom ?? pass.rule.validFrom,
            last_admitted_at: pass.lastAdmittedAt,
            public_token: newPublicToken(),
            name: pass.name,
            note: pass.note,
            client_id: pass.withClient ? clientId : null,
            updated_at: NOW,
          }),
          // PostgreSQL keeps microseconds; a Date and toISOString() cut them, and so must the SQL.
          created_at: sql<Date>`${pass.createdAt}::timestamptz + make_interval(secs => ${pass.micros / 1e6})`,
        })),
      )
      .execute();

    const rows = await selectPasses(db, database.tenantId).execute();
    expect(rows.length).toBe(passes.length);
    for (const [name, fields] of Object.entries(FIELD_SETS)) {
      const inSql = await db
        .selectFrom(selectPasses(db, database.tenantId).as('passes'))
        .select(['passes.id', fieldsSql(fields, { now: NOW, publicUrl: PUBLIC_URL }).as('item')])
        .execute();
      const sqlById = new Map(inSql.map((row) => [row.id, row.item]));
      for (const row of rows) {
        expect(sqlById.get(row.id), `${name} ${row.id}`).toEqual(
          presentFields(fields, row, { now: NOW, publicUrl: PUBLIC_URL }),
        );
      }
    }
    // The list item the scan statement writes into its events is one of them.
    const items = await db
      .selectFrom(selectPasses(db, database.tenantId).as('passes'))
      .select(['passes.id', passListItemSql(PUBLIC_URL, NOW).as('item')])
      .execute();
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const { id, item } of items) {
      expect(item, id).toEqual(presentPassListItem(byId.get(id)!, PUBLIC_URL, NOW));
    }
    const withMicros = await sql<{ n: number }>`SELECT count(*)::int AS n FROM passes
      WHERE tenant_id = ${database.tenantId} AND date_part('microseconds', created_at)::int % 1000 <> 0`.execute(
      db,
    );
    // The microsecond case really reached the database.
    expect(withMicros.rows[0]!.n).toBeGreaterThan(0);
  });
});

describe('scanRecordSql builds the ScanRecord of @passgate/shared', () => {
  it('gives exactly the schema, and the scan and pass it was given, for random passes', async () => {
    const { db } = database.handle;
    const scans = fc.sample(
      fc.record({
        rule: arbitraryPass,
        name: fc.option(text, { nil: null }),
        clientName: fc.option(text, { nil: null }),
        device: fc.option(text, { nil: null }),
        deviceId: fc.option(fc.constant('dev_00000000000000000000'), { nil: null }),
        result: fc.constantFrom(...SCAN_RESULTS),
        direction: fc.constantFrom('entry', 'exit'),
        locationId: fc.option(fc.constant('loc_rule_a'), { nil: null }),
      }),
      100,
    );
    const rows = scans.map((scan) => ({
      scan,
      pass: newPassRow(database.tenantId, {
        ...ruleColumnsOf(scan.rule),
        name: scan.name,
        updated_at: NOW,
      }),
      scanId: newId('scan'),
    }));
    await db
      .insertInto('passes')
      .values(rows.map(({ pass }) => pass))
      .execute();
    for (const { scan, pass, scanId } of rows) {
      // The row the scan statement reads: the pass, its client's name, and the scan.
      const { record } = await db
        .selectFrom(
          db
            .selectFrom('passes')
            .selectAll()
            .select([
              sql<string>`${scanId}::text`.as('scan_id'),
              sql<string>`${scan.result}::text`.as('result'),
              sql<string | null>`${scan.device}::text`.as('device'),
              sql<string | null>`${scan.deviceId}::text`.as('device_id'),
              sql<string | null>`${scan.clientName}::text`.as('client_name'),
              sql<string>`${scan.direction}::text`.as('direction'),
              sql<string | null>`${scan.locationId}::text`.as('scan_location_id'),
            ])
            .where('id', '=', pass.id)
            .as('passes'),
        )
        .select(scanRecordSql(sql<Date>`${NOW}::timestamptz`).as('record'))
        .executeTakeFirstOrThrow();
      expect(ScanRecord.strict().parse(record)).toEqual({
        id: scanId,
        passId: pass.id,
        code: pass.code,
        name: scan.name,
        type: pass.type,
        result: scan.result,
        success: scan.result === 'success',
        status: reportedStatus(scannableOf(pass), NOW),
        usagesCount: pass.usages_count,
        maxUsages: pass.max_usages,
        clientName: scan.clientName,
        device: scan.device,
        deviceId: scan.deviceId,
        offline: false,
        direction: scan.direction,
        locationId: scan.locationId,
        conflict: null,
        scannedAt: NOW.toISOString(),
      });
    }
  });
});
