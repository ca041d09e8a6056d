import { type Kysely, sql } from 'kysely';

// Entry and exit: each scan says which way it let the pass through, and where it counted (its
// door's location, or the pass's). A pass's presence at a location is its last successful entry
// (inside) or exit (outside) there; the locations' occupancy counts those inside.

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE scans ADD COLUMN direction text NOT NULL DEFAULT 'entry'
              CHECK (direction IN ('entry', 'exit'))`.execute(db);
  await sql`ALTER TABLE scans ADD COLUMN location_id text`.execute(db);
  await sql`CREATE TABLE presence (
    tenant_id text NOT NULL,
    pass_id text NOT NULL REFERENCES passes (id),
    location_id text NOT NULL,
    inside boolean NOT NULL,
    changed_at timestamptz NOT NULL,
    PRIMARY KEY (pass_id, location_id),
    FOREIGN KEY (tenant_id, location_id) REFERENCES locations (tenant_id, id)
  )`.execute(db);
  await sql`CREATE INDEX presence_inside ON presence (tenant_id, location_id) WHERE inside`.execute(
    db,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS presence`.execute(db);
  await sql`ALTER TABLE scans DROP COLUMN IF EXISTS location_id`.execute(db);
  await sql`ALTER TABLE scans DROP COLUMN IF EXISTS direction`.execute(db);
}
