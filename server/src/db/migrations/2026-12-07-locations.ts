import { type Kysely, sql } from 'kysely';

// Places: a tenant's locations, which passes and door devices belong to. A location is keyed by
// its tenant and id, and passes and devices name it through that pair, so the database itself
// keeps them within their tenant. `passes.location_id` was free text: each distinct value of a
// tenant becomes a location of that id, named by it, so that no pass loses its place and its
// `locationId` reads as it did.

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE locations (
    tenant_id text NOT NULL REFERENCES tenants (id),
    id text NOT NULL,
    name text NOT NULL,
    address text,
    timezone text NOT NULL DEFAULT 'UTC',
    latitude double precision,
    longitude double precision,
    capacity integer CHECK (capacity > 0),
    reentry boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    archived_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    CHECK ((latitude IS NULL) = (longitude IS NULL))
  )`.execute(db);
  await sql`CREATE INDEX locations_tenant_newest ON locations (tenant_id, created_at DESC, id DESC)`.execute(
    db,
  );
  await sql`INSERT INTO locations (tenant_id, id, name, created_at)
            SELECT tenant_id, location_id, location_id, min(created_at) FROM passes
             WHERE location_id IS NOT NULL
             GROUP BY tenant_id, location_id`.execute(db);
  await sql`ALTER TABLE passes ADD CONSTRAINT passes_location
              FOREIGN KEY (tenant_id, location_id) REFERENCES locations (tenant_id, id)`.execute(
    db,
  );
  await sql`CREATE INDEX passes_tenant_location ON passes (tenant_id, location_id)
             WHERE location_id IS NOT NULL`.execute(db);
  await sql`ALTER TABLE devices ADD COLUMN location_id text`.execute(db);
  await sql`ALTER TABLE devices ADD CONSTRAINT devices_location
              FOREIGN KEY (tenant_id, location_id) REFERENCES locations (tenant_id, id)`.execute(
    db,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE devices DROP COLUMN IF EXISTS location_id`.execute(db);
  await sql`DROP INDEX IF EXISTS passes_tenant_location`.execute(db);
  await sql`ALTER TABLE passes DROP CONSTRAINT IF EXISTS passes_location`.execute(db);
  await sql`DROP TABLE IF EXISTS locations`.execute(db);
}
