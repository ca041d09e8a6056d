import { type Kysely, sql } from 'kysely';
import { countPresence } from './2026-12-07-presence-occupancy';

// What a door needs to know of who is inside, and what it must never leave unrecorded:
// - a pass's presence moving marks the pass as changed for the doors' sync (`sync_xid`), so an
//   offline door decides re-entry from the server's presence, not only from its own scans;
// - an exit of a code that is no pass is a scan row too (`pass_id` null, the code as scanned,
//   result `unknown_pass`);
// - a location is at capacity whenever its occupancy reaches its capacity, decided on the row
//   itself, so that a change of capacity counts as much as a guest coming in.

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE FUNCTION presence_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND NEW.inside = OLD.inside THEN RETURN NULL; END IF;
      UPDATE passes SET sync_xid = pg_current_xact_id()
       WHERE id = NEW.pass_id AND sync_xid <> pg_current_xact_id();
      RETURN NULL;
    END $$`.execute(db);
  await sql`CREATE TRIGGER presence_sync AFTER INSERT OR UPDATE ON presence
              FOR EACH ROW EXECUTE FUNCTION presence_sync()`.execute(db);

  await sql`ALTER TABLE scans ALTER COLUMN pass_id DROP NOT NULL`.execute(db);
  await sql`ALTER TABLE scans ADD COLUMN code text`.execute(db);
  await sql`ALTER TABLE scans ADD CONSTRAINT scans_pass_or_unknown_code
              CHECK (pass_id IS NOT NULL OR (code IS NOT NULL AND result = 'unknown_pass'))`.execute(
    db,
  );

  await sql`
    CREATE OR REPLACE FUNCTION count_presence() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      moved integer := CASE
        WHEN TG_OP = 'INSERT' THEN CASE WHEN NEW.inside THEN 1 ELSE 0 END
        WHEN NEW.inside = OLD.inside THEN 0
        WHEN NEW.inside THEN 1 ELSE -1 END;
    BEGIN
      IF moved = 0 THEN RETURN NULL; END IF;
      UPDATE locations SET occupancy = greatest(occupancy + moved, 0)
       WHERE tenant_id = NEW.tenant_id AND id = NEW.location_id;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE FUNCTION location_at_capacity() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.at_capacity := NEW.capacity IS NOT NULL AND NEW.occupancy >= NEW.capacity;
      IF NEW.at_capacity AND NOT OLD.at_capacity THEN
        INSERT INTO events (id, tenant_id, type, subject_id, data, created_at)
        VALUES ('evt_' || replace(gen_random_uuid()::text, '-', ''), NEW.tenant_id,
                'location.capacity_reached', NEW.id,
                jsonb_build_object('id', NEW.id, 'name', NEW.name,
                  'capacity', NEW.capacity, 'occupancy', NEW.occupancy,
                  'reachedAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
                now());
      END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`CREATE TRIGGER location_at_capacity BEFORE UPDATE ON locations
              FOR EACH ROW EXECUTE FUNCTION location_at_capacity()`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS location_at_capacity ON locations`.execute(db);
  await sql`DROP FUNCTION IF EXISTS location_at_capacity()`.execute(db);
  await countPresence.execute(db);
  await sql`DELETE FROM scans WHERE pass_id IS NULL`.execute(db);
  await sql`ALTER TABLE scans DROP CONSTRAINT IF EXISTS scans_pass_or_unknown_code`.execute(db);
  await sql`ALTER TABLE scans DROP COLUMN IF EXISTS code`.execute(db);
  await sql`ALTER TABLE scans ALTER COLUMN pass_id SET NOT NULL`.execute(db);
  await sql`DROP TRIGGER IF EXISTS presence_sync ON presence`.execute(db);
  await sql`DROP FUNCTION IF EXISTS presence_sync()`.execute(db);
}
