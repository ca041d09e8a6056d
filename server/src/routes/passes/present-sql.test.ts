import { SCAN_RESULTS, ScanRecord } from '@passgate/shared';
import { reportedStatus } from '@passgate/shared/core';
import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { newPassRow, useTestDatabase } from '../../../../test/support/test-database';
import { newId, newPublicToken } from '../../domain/ids';
import { arbitraryPass } from '../../domain/scan-rule.test';
import { presentPassListItem } from './present';
import { passListItemSql, scanRecordSql } from './present-sql';
import { selectPasses } from './queries';

// The scan's events are built in SQL (present-sql.ts); every other event and answer is built in
// TypeScript (present.ts). Random passes go into a real database and both presenters must say
// exactly the same thing about each.
const NOW = new Date('2030-06-15T12:00:00Z');
const PUBLIC_URL = "https://passes.example.com/o'brien";
const database = useTestDatabase();

const anyInstant = fc.date({
  min: new Date('0001-01-01T00:00:00.000Z'),
  max: new Date('9999-12-31T23:59:59.999Z'),
  noInvalidDate: true,
});
const text = fc.string({ unit: 'binary', maxLength: 12 }).map((s) => s.replaceAll('\0', ''));

describe('passListItemSql mirrors presentPassListItem', () => {
  it('gives the same JSON for random passes, with and without a client', async () => {
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
        withClient: fc.boolean(),
        validFrom: fc.option(anyInstant, { nil: null }),
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
            ...pass.rule,
            valid_from: pass.validFrom ?? pass.rule.valid_from,
            public_token: newPublicToken(),
            name: pass.name,
            client_id: pass.withClient ? clientId : null,
            updated_at: NOW,
          }),
          // PostgreSQL keeps microseconds; a Date and toISOString() cut them, and so must the SQL.
          created_at: sql<Date>`${pass.createdAt}::timestamptz + make_interval(secs => ${pass.micros / 1e6})`,
        })),
      )
      .execute();

    const rows = await selectPasses(db, database.tenantId).execute();
    const inSql = await db
      .selectFrom(selectPasses(db, database.tenantId).as('passes'))
      .select(['passes.id', passListItemSql(PUBLIC_URL, NOW).as('item')])
      .execute();
    const sqlById = new Map(inSql.map((row) => [row.id, row.item]));
    expect(rows.length).toBe(passes.length);
    for (const row of rows) {
      expect(sqlById.get(row.id), row.id).toEqual(presentPassListItem(row, PUBLIC_URL, NOW));
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
      }),
      100,
    );
    const rows = scans.map((scan) => ({
      scan,
      pass: newPassRow(database.tenantId, { ...scan.rule, name: scan.name, updated_at: NOW }),
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
        status: reportedStatus(scan.rule, NOW),
        usagesCount: pass.usages_count,
        maxUsages: pass.max_usages,
        clientName: scan.clientName,
        device: scan.device,
        deviceId: scan.deviceId,
        offline: false,
        conflict: null,
        scannedAt: NOW.toISOString(),
      });
    }
  });
});
