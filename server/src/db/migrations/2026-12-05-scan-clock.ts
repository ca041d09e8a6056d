import { type Kysely, sql } from 'kysely';

// An uploaded scan whose phone's clock was off: how far the server moved its `scanned_at` (the
// phone's clock skew, or a time still ahead of the server's clamped to it). Null: not moved.
// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE scans ADD COLUMN clock_corrected_ms bigint`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE scans DROP COLUMN IF EXISTS clock_corrected_ms`.execute(db);
}
