import { type Kysely, sql } from 'kysely';

// A scan finds its pass by tenant and code. The unique index on `code` alone serves that once the
// table has statistics, but until PostgreSQL first analyzes it (autovacuum does, up to a minute
// after passes appear) a plan made meanwhile, such as the prepared scan's generic plan, cannot
// tell that index from `passes_tenant_newest` and may walk every pass of the tenant. An index on
// exactly (tenant_id, code) wins on both conditions, with or without statistics. Scans do not
// change either column, so the index does not stop their updates from being HOT.
// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX passes_tenant_code ON passes (tenant_id, code)`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS passes_tenant_code`.execute(db);
}
