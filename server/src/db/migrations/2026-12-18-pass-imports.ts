import { type Kysely, sql } from 'kysely';

// A CSV import is accepted whole and written 50 passes a transaction (ADR 8): the
// import's row keeps its checked passes until the last of them is written, so that a server
// that stops half way finishes the import when it starts again. Its passes not yet written
// count against the tenant's pass limit. And two changes that keep the embedded database's
// one connection from being held long by upkeep: the search index's pending list, and the
// statistics of events' data.

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE pass_imports (
      id text PRIMARY KEY,
      tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      passes text NOT NULL,
      total integer NOT NULL CHECK (total > 0),
      written integer NOT NULL DEFAULT 0 CHECK (written >= 0 AND written < total),
      lease_until timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX pass_imports_tenant ON pass_imports (tenant_id)`.execute(db);
  // New entries of the search index wait in a pending list, merged into the index when the list
  // is full: at the default 4 MB, one insert or scan in a few thousand paid the whole merge
  // (0.3–0.4 s on the embedded database). A small list spreads the same work in small merges.
  await sql`ALTER INDEX passes_search_key SET (gin_pending_list_limit = 128)`.execute(db);
  // No query filters events by their data: ANALYZE need not sort the widest column there is
  // (400 bytes a row), which was half of its time.
  await sql`ALTER TABLE events ALTER COLUMN data SET STATISTICS 0`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE events ALTER COLUMN data SET STATISTICS -1`.execute(db);
  await sql`ALTER INDEX passes_search_key RESET (gin_pending_list_limit)`.execute(db);
  await sql`DROP TABLE IF EXISTS pass_imports`.execute(db);
}
