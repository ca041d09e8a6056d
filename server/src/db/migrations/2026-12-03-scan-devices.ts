import { type Kysely, sql } from 'kysely';

// Door devices, their one-time pairing tokens, scans decided on a phone, and the order in which
// doors sync passes.
//
// `passes.sync_xid` is the id of the transaction that last wrote the row (a trigger sets it on
// every insert and update). A door's sync cursor holds the oldest transaction still running when
// its sweep began (`pg_snapshot_xmin`): every write that can commit later has an id at least that
// large, so a sync from that floor never skips a change, whatever order transactions commit in.
// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE devices (
    id text PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants (id),
    name text NOT NULL,
    rate_limit integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz,
    last_sync_at timestamptz,
    clock_skew_ms integer,
    revoked_at timestamptz
  )`.execute(db);
  await sql`CREATE INDEX devices_by_tenant ON devices (tenant_id, created_at)`.execute(db);

  await sql`CREATE TABLE device_pairings (
    token_hash text PRIMARY KEY,
    device_id text NOT NULL REFERENCES devices (id),
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await sql`CREATE INDEX device_pairings_by_device ON device_pairings (device_id)`.execute(db);

  await sql`ALTER TABLE api_keys ADD COLUMN device_id text REFERENCES devices (id)`.execute(db);
  await sql`CREATE INDEX api_keys_by_device ON api_keys (device_id) WHERE device_id IS NOT NULL`.execute(
    db,
  );

  await sql`ALTER TABLE scans
    ADD COLUMN device_id text REFERENCES devices (id),
    ADD COLUMN offline boolean NOT NULL DEFAULT false,
    ADD COLUMN conflict text,
    ADD COLUMN received_at timestamptz,
    ADD COLUMN idempotency_key text,
    ADD COLUMN annulled_at timestamptz`.execute(db);
  await sql`UPDATE scans SET received_at = scanned_at`.execute(db);
  await sql`ALTER TABLE scans ALTER COLUMN received_at SET NOT NULL,
    ALTER COLUMN received_at SET DEFAULT now()`.execute(db);
  // A scan decided on a phone counts once however late, and however often, it is uploaded.
  await sql`CREATE UNIQUE INDEX scans_by_idempotency_key ON scans (api_key_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL`.execute(db);
  await sql`CREATE INDEX scans_newest_first ON scans (tenant_id, received_at DESC, id DESC)`.execute(
    db,
  );
  await sql`CREATE INDEX scans_by_device ON scans (device_id, received_at DESC)
    WHERE device_id IS NOT NULL`.execute(db);

  await sql`ALTER TABLE passes ADD COLUMN sync_xid xid8 NOT NULL DEFAULT pg_current_xact_id()`.execute(
    db,
  );
  await sql`
    CREATE FUNCTION passes_sync_xid() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.sync_xid := pg_current_xact_id();
      RETURN NEW;
    END
    $$`.execute(db);
  await sql`CREATE TRIGGER passes_sync_xid BEFORE INSERT OR UPDATE ON passes
    FOR EACH ROW EXECUTE FUNCTION passes_sync_xid()`.execute(db);
  // Led by `sync_xid`: a sync reads the few rows written since its floor, of every tenant, in
  // order. (Led by `tenant_id`, a generic plan made without statistics found a scan's pass
  // through it, by tenant alone, instead of by tenant and code.)
  await sql`CREATE INDEX passes_by_sync ON passes (sync_xid, tenant_id, id)`.execute(db);

  await sql`CREATE TRIGGER devices_auth_change AFTER UPDATE OR DELETE ON devices
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change()`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS devices_auth_change ON devices`.execute(db);
  await sql`DROP INDEX IF EXISTS passes_by_sync`.execute(db);
  await sql`DROP TRIGGER IF EXISTS passes_sync_xid ON passes`.execute(db);
  await sql`DROP FUNCTION IF EXISTS passes_sync_xid()`.execute(db);
  await sql`ALTER TABLE passes DROP COLUMN IF EXISTS sync_xid`.execute(db);
  await sql`DROP INDEX IF EXISTS scans_by_device`.execute(db);
  await sql`DROP INDEX IF EXISTS scans_newest_first`.execute(db);
  await sql`DROP INDEX IF EXISTS scans_by_idempotency_key`.execute(db);
  await sql`ALTER TABLE scans DROP COLUMN IF EXISTS device_id, DROP COLUMN IF EXISTS offline,
    DROP COLUMN IF EXISTS conflict, DROP COLUMN IF EXISTS received_at,
    DROP COLUMN IF EXISTS idempotency_key, DROP COLUMN IF EXISTS annulled_at`.execute(db);
  await sql`ALTER TABLE api_keys DROP COLUMN IF EXISTS device_id`.execute(db);
  await sql`DROP TABLE IF EXISTS device_pairings`.execute(db);
  await sql`DROP TABLE IF EXISTS devices`.execute(db);
}
