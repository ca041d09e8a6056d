import { type Kysely, sql } from 'kysely';

// The revocation list of signed codes, for integrators who verify codes without the pass list.
// `revocations` keeps, per pass, each statement its signed code made before a change replaced
// it, and one row (`whole_pass`) once the pass has been revoked. Whether an entry revokes is read
// with the pass as it stands (a statement other than the pass's present one; a pass revoked
// now), so activating again or changing back takes an entry off. Every change of a pass's
// statement or status re-marks all its entries (`sync_xid`), so a reader following the list by
// transaction id (as doors follow passes, ADR 4) sees each entry again as it now reads.

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE revocations (
    id bigserial PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants (id),
    pass_id text NOT NULL REFERENCES passes (id),
    whole_pass boolean NOT NULL,
    type text,
    max_usages integer,
    valid_from timestamptz,
    valid_until timestamptz,
    location_id text,
    sync_xid xid8 NOT NULL DEFAULT pg_current_xact_id()
  )`.execute(db);
  await sql`CREATE UNIQUE INDEX revocations_statement ON revocations
              (pass_id, whole_pass, type, max_usages, valid_from, valid_until, location_id)
              NULLS NOT DISTINCT`.execute(db);
  await sql`CREATE INDEX revocations_sync ON revocations (tenant_id, sync_xid, id)`.execute(db);
  await sql`CREATE FUNCTION note_revocations() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (OLD.type, OLD.max_usages, OLD.valid_from, OLD.valid_until, OLD.location_id)
         IS DISTINCT FROM (NEW.type, NEW.max_usages, NEW.valid_from, NEW.valid_until, NEW.location_id)
      THEN
        INSERT INTO revocations
               (tenant_id, pass_id, whole_pass, type, max_usages, valid_from, valid_until, location_id)
        VALUES (OLD.tenant_id, OLD.id, false, OLD.type, OLD.max_usages, OLD.valid_from,
                OLD.valid_until, OLD.location_id)
        ON CONFLICT DO NOTHING;
      END IF;
      IF NEW.status = 'revoked' AND OLD.status <> 'revoked' THEN
        INSERT INTO revocations (tenant_id, pass_id, whole_pass)
        VALUES (NEW.tenant_id, NEW.id, true)
        ON CONFLICT DO NOTHING;
      END IF;
      UPDATE revocations SET sync_xid = pg_current_xact_id()
       WHERE pass_id = NEW.id AND sync_xid <> pg_current_xact_id();
      RETURN NULL;
    END $$`.execute(db);
  // A scan's update (usages, status used) passes the WHEN test and calls nothing.
  await sql`CREATE TRIGGER passes_revocations AFTER UPDATE ON passes FOR EACH ROW
              WHEN ((OLD.type, OLD.max_usages, OLD.valid_from, OLD.valid_until, OLD.location_id)
                      IS DISTINCT FROM
                    (NEW.type, NEW.max_usages, NEW.valid_from, NEW.valid_until, NEW.location_id)
                    OR ((OLD.status = 'revoked') <> (NEW.status = 'revoked')))
              EXECUTE FUNCTION note_revocations()`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS passes_revocations ON passes`.execute(db);
  await sql`DROP FUNCTION IF EXISTS note_revocations()`.execute(db);
  await sql`DROP TABLE IF EXISTS revocations`.execute(db);
}
