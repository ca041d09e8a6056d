import { type Kysely, sql } from 'kysely';

// A webhook delivery claim reads indexes in order instead of ranking the whole backlog: the
// endpoints with pending deliveries one index probe each (a loose index scan), the first due of
// each endpoint from the head of its own range, and the leases taken from their own small index.

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX webhook_deliveries_pending ON webhook_deliveries
              (webhook_id, next_attempt_at, event_id) WHERE state = 'pending'`.execute(db);
  await sql`CREATE INDEX webhook_deliveries_leased ON webhook_deliveries (locked_until)
              WHERE state = 'pending' AND locked_until IS NOT NULL`.execute(db);
  await sql`DROP INDEX IF EXISTS webhook_deliveries_due`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function down(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
              WHERE state = 'pending'`.execute(db);
  await sql`DROP INDEX IF EXISTS webhook_deliveries_leased`.execute(db);
  await sql`DROP INDEX IF EXISTS webhook_deliveries_pending`.execute(db);
}
