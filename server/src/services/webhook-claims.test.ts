import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { useDatabaseBefore } from '../../../test/support/test-database';
import { upkeep } from './embedded-upkeep';
import { claimStatement } from './webhook-delivery';

// The delivery claim over a backlog of thousands, on a database of its own (no server's worker
// takes the deliveries first): it keeps each endpoint's and tenant's share, oldest first, and
// its plan reads indexes in order rather than ranking the backlog.

const database = useDatabaseBefore('2026-12-03-scan-devices');
const BACKLOG = 3000;
const LEASE_MS = 6000;

beforeAll(async () => {
  const { db } = database.handle;
  await database.handle.migrate();
  const [busy, quiet] = database.tenants;
  // The busy tenant has three endpoints, the quiet one one; every event goes to each endpoint
  // of its tenant (the events trigger makes the deliveries).
  await db
    .insertInto('webhooks')
    .values(
      [
        ['wh_a', busy],
        ['wh_b', busy],
        ['wh_c', busy],
        ['wh_q', quiet],
      ].map(([id, tenant]) => ({
        id: id as string,
        tenant_id: tenant as string,
        event: 'pass.scanned',
        target_url: 'https://receiver.example/hook',
        secret: 'whsec_x',
      })),
    )
    .execute();
  await sql`INSERT INTO events (id, tenant_id, type, subject_id, data, created_at)
            SELECT 'evt_' || lpad(i::text, 5, '0'), ${busy}, 'pass.scanned', 'pass_x', '{}',
                   now() - interval '1 hour' + i * interval '1 ms'
              FROM generate_series(1, ${BACKLOG}) i`.execute(db);
  await sql`INSERT INTO events (id, tenant_id, type, subject_id, data, created_at)
            VALUES ('evt_quiet', ${quiet}, 'pass.scanned', 'pass_x', '{}', now())`.execute(db);
  await sql`UPDATE webhook_deliveries d SET next_attempt_at = e.created_at
              FROM events e WHERE e.id = d.event_id`.execute(db);
  await sql`SELECT pg_stat_force_next_flush()`.execute(db);
  await upkeep(db);
});

const claim = (now: Date, limit = 32) =>
  claimStatement(now, LEASE_MS, limit).execute(database.handle.db);

describe('claiming webhook deliveries', () => {
  it('reads indexes in order: no pass over the whole backlog', async () => {
    const { rows } = await sql<{ 'QUERY PLAN': unknown }>`EXPLAIN (FORMAT JSON) ${claimStatement(
      new Date(),
      LEASE_MS,
      32,
    )}`.execute(database.handle.db);
    const plan = JSON.stringify(rows[0]?.['QUERY PLAN']);
    const scans = [...plan.matchAll(/"Node Type":"([^"]+)","[^}]*?"Relation Name":"([^"]+)"/g)]
      .filter(([, , relation]) => relation === 'webhook_deliveries')
      .map(([, node]) => node);
    expect(scans.length).toBeGreaterThan(0);
    expect(scans).not.toContain('Seq Scan');
    expect(scans).not.toContain('Bitmap Heap Scan');
  });

  it('keeps each endpoint to two and each tenant to four, oldest first', async () => {
    const now = new Date();
    const first = await claim(now);
    const perWebhook = new Map<string, number>();
    for (const row of first.rows) {
      perWebhook.set(row.webhook_id, (perWebhook.get(row.webhook_id) ?? 0) + 1);
    }
    expect([...perWebhook.keys()].sort()).toEqual(['wh_a', 'wh_b', 'wh_c', 'wh_q']);
    expect(Math.max(...perWebhook.values())).toBeLessThanOrEqual(2);
    const busy = first.rows.filter((row) => row.webhook_id !== 'wh_q');
    expect(busy).toHaveLength(4);
    // The busy tenant's four are the oldest heads of its endpoints: the first event at each
    // of the three, then a second.
    expect(busy.map((row) => row.event_id).sort()).toEqual([
      'evt_00001',
      'evt_00001',
      'evt_00001',
      'evt_00002',
    ]);
    // Leased, they count against the shares: nothing more until the leases end.
    expect((await claim(now)).rows).toEqual([]);
    const later = new Date(now.getTime() + LEASE_MS + 1);
    const next = await claim(later);
    expect(next.rows.filter((row) => row.webhook_id !== 'wh_q')).toHaveLength(4);
  });
});
