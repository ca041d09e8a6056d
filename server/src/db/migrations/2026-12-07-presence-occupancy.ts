import { type Kysely, sql } from 'kysely';

// Who is inside: each location counts the passes inside it (`occupancy`), kept by a trigger on
// `presence` in the transaction that moves a pass, whichever way in moved it (the scan
// statement, an upload, a reset). The trigger locks the location's row, so two moves at once
// count in turn. When the count reaches the location's capacity it records
// `location.capacity_reached` once, and again only after the count dropped below.

/** The trigger function as this migration made it (a later one's `down` puts it back). */
export const countPresence = sql`
    CREATE OR REPLACE FUNCTION count_presence() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      moved integer := CASE
        WHEN TG_OP = 'INSERT' THEN CASE WHEN NEW.inside THEN 1 ELSE 0 END
        WHEN NEW.inside = OLD.inside THEN 0
        WHEN NEW.inside THEN 1 ELSE -1 END;
      place locations%ROWTYPE;
    BEGIN
      IF moved = 0 THEN RETURN NULL; END IF;
      UPDATE locations SET occupancy = greatest(occupancy + moved, 0)
       WHERE tenant_id = NEW.tenant_id AND id = NEW.location_id
      RETURNING * INTO place;
      IF place.capacity IS NULL THEN RETURN NULL; END IF;
      IF place.occupancy >= place.capacity AND NOT place.at_capacity THEN
        UPDATE locations SET at_capacity = true
         WHERE tenant_id = place.tenant_id AND id = place.id;
        INSERT INTO events (id, tenant_id, type, subject_id, data, created_at)
        VALUES ('evt_' || replace(gen_random_uuid()::text, '-', ''), place.tenant_id,
                'location.capacity_reached', place.id,
                jsonb_build_object('id', place.id, 'name', place.name,
                  'capacity', place.capacity, 'occupancy', place.occupancy,
                  'reachedAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
                now());
      ELSIF place.occupancy < place.capacity AND place.at_capacity THEN
        UPDATE locations SET at_capacity = false
         WHERE tenant_id = place.tenant_id AND id = place.id;
      END IF;
      RETURN NULL;
    END $$`;

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE locations ADD COLUMN occupancy integer NOT NULL DEFAULT 0`.execute(db);
  await sql`ALTER TABLE locations ADD COLUMN at_capacity boolean NOT NULL DEFAULT false`.execute(
    db,
  );
  await countPresence.execute(db);
  await sql`CREATE TRIGGER presence_count AFTER INSERT OR UPDATE ON presence
              FOR EACH ROW EXECUTE FUNCTION count_presence()`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS presence_count ON presence`.execute(db);
  await sql`DROP FUNCTION IF EXISTS count_presence()`.execute(db);
  await sql`ALTER TABLE locations DROP COLUMN IF EXISTS at_capacity`.execute(db);
  await sql`ALTER TABLE locations DROP COLUMN IF EXISTS occupancy`.execute(db);
}
