import {
  admit,
  evaluateScan,
  reportedStatus,
  type ScanPlace,
  unadmit,
} from '@passgate/shared/core';
import fc from 'fast-check';
import { expressionBuilder, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { arbitraryPass, arbitraryPlace } from '../../../test/support/arbitrary-pass';
import { newPassRow, useTestDatabase } from '../../../test/support/test-database';
import type { Database } from '../db/schema';
import {
  admitSql,
  hasReportedStatusSql,
  reportedStatusSql,
  scanResultSql,
  unadmitSql,
} from './pass-sql';
import { ruleColumnsOf, scannableOf } from './passes/present';

// The SQL must say exactly what the pure rule says. Random passes go into a real database
// (PGlite here; PostgreSQL too when DATABASE_URL is set) and both are asked the same question.
const NOW = new Date('2030-06-15T12:00:00Z');
const STATUSES = ['active', 'used', 'revoked', 'expired'] as const;
const database = useTestDatabase();

describe('pass SQL mirrors the scan rule', () => {
  it('scanResultSql(…, place) agrees with evaluateScan at any place, either way', async () => {
    const cases = fc.sample(fc.tuple(arbitraryPass, arbitraryPlace), 400);
    const passes = cases.map(([pass]) =>
      newPassRow(database.tenantId, { ...ruleColumnsOf(pass), updated_at: NOW }),
    );
    await database.handle.db.insertInto('passes').values(passes).execute();
    const places = cases.map(([, place]) => place);
    const { rows } = await sql<{ id: string; result: string }>`
      SELECT passes.id, ${scanResultSql(expressionBuilder<Database, 'passes'>(), NOW, {
        locationId: sql.ref('place.location_id'),
        direction: sql.ref('place.direction'),
        inside: sql.ref('place.inside'),
        reentry: sql.ref('place.reentry'),
      })} AS result
        FROM unnest(${passes.map((pass) => pass.id)}::text[],
                    ${places.map((place) => place.locationId)}::text[],
                    ${places.map((place) => place.direction)}::text[],
                    ${places.map((place) => place.inside)}::boolean[],
                    ${places.map((place) => place.reentry)}::boolean[])
             AS place (pass_id, location_id, direction, inside, reentry)
        JOIN passes ON passes.id = place.pass_id`.execute(database.handle.db);
    const byId = new Map(rows.map((row) => [row.id, row.result]));
    for (const [i, pass] of passes.entries()) {
      const place = places[i] as ScanPlace;
      expect(byId.get(pass.id), JSON.stringify({ pass, place })).toBe(
        evaluateScan(scannableOf(pass), NOW, place),
      );
    }
  });

  it('scanResultSql, reportedStatusSql and hasReportedStatusSql agree with the pure rule', async () => {
    const passes = fc
      .sample(arbitraryPass, 400)
      .map((pass) => newPassRow(database.tenantId, { ...ruleColumnsOf(pass), updated_at: NOW }));
    await database.handle.db.insertInto('passes').values(passes).execute();
    const rows = await database.handle.db
      .selectFrom('passes')
      .select((eb) => [
        'id',
        reportedStatusSql(eb, NOW).as('reported'),
        scanResultSql(eb, NOW).as('result'),
        ...STATUSES.map((reported) => hasReportedStatusSql(eb, reported, NOW).as(reported)),
      ])
      .where('tenant_id', '=', database.tenantId)
      .execute();
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const pass of passes) {
      const row = byId.get(pass.id)!;
      expect(row.reported, JSON.stringify(pass)).toBe(reportedStatus(scannableOf(pass), NOW));
      expect(row.result, JSON.stringify(pass)).toBe(evaluateScan(scannableOf(pass), NOW));
      // The status filter's condition holds for the reported status and no other.
      for (const reported of STATUSES) {
        expect(row[reported], `${reported} ${JSON.stringify(pass)}`).toBe(
          row.reported === reported,
        );
      }
    }
  });

  it('admitSql and unadmitSql change a row as admit and unadmit change the pass', async () => {
    const { db } = database.handle;
    for (const [name, pure, set] of [
      ['admit', admit, admitSql],
      ['unadmit', unadmit, unadmitSql],
    ] as const) {
      const passes = fc
        .sample(arbitraryPass, 200)
        .map((pass) => newPassRow(database.tenantId, { ...ruleColumnsOf(pass), updated_at: NOW }));
      await db.insertInto('passes').values(passes).execute();
      const rows = await db
        .updateTable('passes')
        .set(set)
        .where(
          'id',
          'in',
          passes.map((pass) => pass.id),
        )
        .returning(['id', 'usages_count', 'status'])
        .execute();
      expect(rows.length).toBe(passes.length);
      const byId = new Map(rows.map((row) => [row.id, row]));
      for (const pass of passes) {
        const expected = pure(scannableOf(pass));
        expect(byId.get(pass.id), `${name} ${JSON.stringify(pass)}`).toEqual({
          id: pass.id,
          usages_count: expected.usagesCount,
          status: expected.status,
        });
      }
    }
  });
});
