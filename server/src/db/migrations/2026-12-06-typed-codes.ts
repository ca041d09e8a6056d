import { type Kysely, sql } from 'kysely';

// A code typed by hand is matched whatever its letter case, when no code matches it exactly:
// this index finds passes by their code in capitals. Not led by tenant_id, so that no lookup by
// tenant and exact code (the scan statement's) is ever planned through it: codes are nearly
// unique across tenants, and the tenant is checked on the one or two rows it finds.
// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX IF NOT EXISTS passes_upper_code ON passes (upper(code))`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS passes_upper_code`.execute(db);
}
