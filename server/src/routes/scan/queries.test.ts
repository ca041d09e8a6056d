import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../db/testing';
import { scanStatementText } from './queries';

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database?.close());

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

describe('the scan statement', () => {
  // A prepared statement can keep a generic plan made before PostgreSQL has any statistics of
  // `passes`. That plan must still find the pass by its code through an index, not walk every
  // pass of the tenant (which it did, 500 rows a scan, until an index on both columns existed).
  it('reaches the pass through an index on its code, in a generic plan made without statistics', async () => {
    const { db } = database.handle;
    const plan = await db.connection().execute(async (session) => {
      await sql`SET plan_cache_mode = force_generic_plan`.execute(session);
      await sql.raw(`PREPARE scan_plan_probe AS ${scanStatementText(db)}`).execute(session);
      try {
        const { rows } = await sql<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>`
          EXPLAIN (FORMAT JSON) EXECUTE scan_plan_probe('ten_x', 'CODE', now(), 'key_x', NULL,
            'scan_x', 'evt_x', 'evt_y', 'http://localhost')`.execute(session);
        return rows[0]!['QUERY PLAN'][0].Plan;
      } finally {
        await sql`DEALLOCATE scan_plan_probe`.execute(session);
        await sql`RESET plan_cache_mode`.execute(session);
      }
    });
    const passReads = nodesOf(plan).filter(
      (node) => node['Relation Name'] === 'passes' && node['Node Type'] !== 'ModifyTable',
    );
    expect(passReads.length).toBeGreaterThan(0);
    for (const read of passReads) {
      expect(read['Node Type']).toMatch(/Index/);
      expect(read['Index Cond']).toMatch(/\bcode = /);
    }
  });
});
