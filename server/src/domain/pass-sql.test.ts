import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase, type DatabaseHandle } from '../db/create';
import { migrateToLatest } from '../db/migrate';
import { newId, newPassCode } from './ids';
import { admissible, reportedStatusSql } from './pass-sql';
import { evaluateScan, reportedStatus } from './scan-rule';
import { arbitraryPass } from './scan-rule.test';

// The SQL must say exactly what the pure rule says. Random passes go into a real database
// (PGlite here; PostgreSQL too when DATABASE_URL is set) and both are asked the same question.
const NOW = new Date('2030-06-15T12:00:00Z');
let handle: DatabaseHandle;
let dataDir: string;
const tenantId = newId('ten');

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'passgate-sql-'));
  handle = await createDatabase({
    databaseUrl: inject('databaseUrl'),
    dataDir,
    databasePoolSize: 2,
  });
  await migrateToLatest(handle.db);
  await handle.db
    .insertInto('tenants')
    .values({ id: tenantId, name: 'sql', plan: 'pro', max_passes: null })
    .execute();
});

afterAll(async () => {
  await handle?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('pass SQL mirrors the scan rule', () => {
  it('admissible(…) and reportedStatusSql(…) agree with evaluateScan and reportedStatus', async () => {
    const passes = fc.sample(arbitraryPass, 400).map((pass) => ({ ...pass, id: newId('pass') }));
    await handle.db
      .insertInto('passes')
      .values(
        passes.map((pass) => ({
          ...pass,
          tenant_id: tenantId,
          code: newPassCode(),
          public_token: 'x',
          name: null,
          note: null,
          fields: '[]',
          template_id: null,
          location_id: null,
          client_id: null,
          last_admitted_at: null,
          updated_at: NOW,
        })),
      )
      .execute();
    const rows = await handle.db
      .selectFrom('passes')
      .select((eb) => [
        'id',
        admissible(eb, NOW).as('admissible'),
        reportedStatusSql(eb, NOW).as('reported'),
      ])
      .where('tenant_id', '=', tenantId)
      .execute();
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const pass of passes) {
      const row = byId.get(pass.id)!;
      expect(row.admissible, JSON.stringify(pass)).toBe(evaluateScan(pass, NOW) === 'success');
      expect(row.reported, JSON.stringify(pass)).toBe(reportedStatus(pass, NOW));
    }
  });
});
