import { type Kysely, sql } from 'kysely';

// The table rate-limiter-flexible counts in on PostgreSQL, in the shape it expects. Made here,
// under the migrations' lock, rather than by the library at start: two servers starting at once
// on a new database both ran its CREATE TABLE IF NOT EXISTS, and one of them failed. A database
// where the library made it already keeps it as it is.
// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS rate_limits (
    key varchar(255) PRIMARY KEY,
    points integer NOT NULL DEFAULT 0,
    expire bigint
  )`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS rate_limits`.execute(db);
}
