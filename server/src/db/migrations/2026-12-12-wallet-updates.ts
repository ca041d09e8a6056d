import { type Kysely, sql } from 'kysely';

// Wallet copies follow every change of what they show:
// - Google Wallet objects (`google_wallet_objects`): one per pass a holder saved; `due_at` set
//   means its latest state is owed to Google (the worker PATCHes it), armed by a trigger with
//   each change of the pass, as Apple's pushes are.
// - A template or location edit reaches every pass that wears it through a fan-out
//   (`wallet_fanouts`): one row per edit, worked through in batches of passes, each batch its own
//   transaction, so an edit touching ten thousand passes holds no lock on them all. A batch
//   marks Apple registrations changed (`changed_at`, what a phone's "updated since" reads),
//   arms their pushes, and arms the Google objects.

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE google_wallet_objects (
    pass_id text PRIMARY KEY REFERENCES passes (id),
    tenant_id text NOT NULL REFERENCES tenants (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    due_at timestamptz,
    attempts integer NOT NULL DEFAULT 0,
    last_error text
  )`.execute(db);
  await sql`CREATE INDEX google_wallet_objects_due ON google_wallet_objects (due_at)
             WHERE due_at IS NOT NULL`.execute(db);
  await sql`CREATE INDEX google_wallet_objects_tenant ON google_wallet_objects (tenant_id, pass_id)`.execute(
    db,
  );
  await sql`ALTER TABLE wallet_registrations ADD COLUMN changed_at timestamptz`.execute(db);
  await sql`CREATE INDEX wallet_registrations_tenant ON wallet_registrations (tenant_id, pass_id)`.execute(
    db,
  );
  // A pass some wallet holds is marked (`in_wallet`, never cleared), so that the wallet triggers
  // fire for it alone: a scan of any other pass pays a WHEN test, not a function call.
  await sql`ALTER TABLE passes ADD COLUMN in_wallet boolean NOT NULL DEFAULT false`.execute(db);
  await sql`UPDATE passes SET in_wallet = true
             WHERE id IN (SELECT pass_id FROM wallet_registrations)`.execute(db);
  await sql`CREATE FUNCTION mark_pass_in_wallet() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE passes SET in_wallet = true WHERE id = NEW.pass_id AND NOT in_wallet;
      RETURN NULL;
    END $$`.execute(db);
  for (const table of ['wallet_registrations', 'google_wallet_objects']) {
    await sql`CREATE TRIGGER ${sql.raw(`${table}_mark_pass`)} AFTER INSERT ON ${sql.table(table)}
                FOR EACH ROW EXECUTE FUNCTION mark_pass_in_wallet()`.execute(db);
  }
  await sql`DROP TRIGGER passes_wallet_push ON passes`.execute(db);
  await sql`CREATE TRIGGER passes_wallet_push AFTER UPDATE ON passes FOR EACH ROW
              WHEN (NEW.in_wallet AND OLD.updated_at IS DISTINCT FROM NEW.updated_at)
              EXECUTE FUNCTION arm_wallet_pushes()`.execute(db);
  await sql`CREATE FUNCTION arm_google_wallet_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE google_wallet_objects SET due_at = least(coalesce(due_at, now()), now())
       WHERE pass_id = NEW.id;
      RETURN NULL;
    END $$`.execute(db);
  await sql`CREATE TRIGGER passes_google_wallet_update AFTER UPDATE ON passes FOR EACH ROW
              WHEN (NEW.in_wallet AND OLD.updated_at IS DISTINCT FROM NEW.updated_at)
              EXECUTE FUNCTION arm_google_wallet_update()`.execute(db);

  await sql`CREATE TABLE wallet_fanouts (
    tenant_id text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('template', 'default_template', 'location')),
    subject_id text NOT NULL,
    after_pass_id text NOT NULL DEFAULT '',
    due_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, kind, subject_id)
  )`.execute(db);
  await sql`CREATE INDEX wallet_fanouts_due ON wallet_fanouts (due_at)`.execute(db);
  // Armed only for a tenant with passes in wallets; a new edit restarts a fan-out under way.
  await sql`CREATE FUNCTION arm_wallet_fanout(tenant text, fanout_kind text, subject text)
    RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM wallet_registrations WHERE tenant_id = tenant)
         OR EXISTS (SELECT 1 FROM google_wallet_objects WHERE tenant_id = tenant) THEN
        INSERT INTO wallet_fanouts (tenant_id, kind, subject_id) VALUES (tenant, fanout_kind, subject)
            ON CONFLICT (tenant_id, kind, subject_id) DO UPDATE
           SET after_pass_id = '', due_at = now();
      END IF;
    END $$`.execute(db);
  await sql`CREATE FUNCTION template_wallet_fanout() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM arm_wallet_fanout(NEW.tenant_id, 'template', NEW.id);
      -- Passes without a template of their own wear the default.
      IF OLD.is_default OR NEW.is_default THEN
        PERFORM arm_wallet_fanout(NEW.tenant_id, 'default_template', '');
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`CREATE TRIGGER templates_wallet_fanout AFTER UPDATE ON templates FOR EACH ROW
              WHEN (OLD.updated_at IS DISTINCT FROM NEW.updated_at
                    OR OLD.is_default IS DISTINCT FROM NEW.is_default)
              EXECUTE FUNCTION template_wallet_fanout()`.execute(db);
  await sql`CREATE FUNCTION location_wallet_fanout() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM arm_wallet_fanout(NEW.tenant_id, 'location', NEW.id);
      RETURN NULL;
    END $$`.execute(db);
  // What a wallet shows of a location; occupancy, capacity and re-entry it does not.
  await sql`CREATE TRIGGER locations_wallet_fanout AFTER UPDATE ON locations FOR EACH ROW
              WHEN ((OLD.name, OLD.address, OLD.latitude, OLD.longitude, OLD.timezone)
                    IS DISTINCT FROM (NEW.name, NEW.address, NEW.latitude, NEW.longitude, NEW.timezone))
              EXECUTE FUNCTION location_wallet_fanout()`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS locations_wallet_fanout ON locations`.execute(db);
  await sql`DROP TRIGGER IF EXISTS templates_wallet_fanout ON templates`.execute(db);
  await sql`DROP FUNCTION IF EXISTS location_wallet_fanout()`.execute(db);
  await sql`DROP FUNCTION IF EXISTS template_wallet_fanout()`.execute(db);
  await sql`DROP FUNCTION IF EXISTS arm_wallet_fanout(text, text, text)`.execute(db);
  await sql`DROP TABLE IF EXISTS wallet_fanouts`.execute(db);
  await sql`DROP TRIGGER IF EXISTS passes_google_wallet_update ON passes`.execute(db);
  await sql`DROP FUNCTION IF EXISTS arm_google_wallet_update()`.execute(db);
  await sql`DROP TRIGGER IF EXISTS passes_wallet_push ON passes`.execute(db);
  await sql`CREATE TRIGGER passes_wallet_push AFTER UPDATE ON passes FOR EACH ROW
              WHEN (OLD.updated_at IS DISTINCT FROM NEW.updated_at)
              EXECUTE FUNCTION arm_wallet_pushes()`.execute(db);
  await sql`DROP TRIGGER IF EXISTS wallet_registrations_mark_pass ON wallet_registrations`.execute(
    db,
  );
  await sql`DROP FUNCTION IF EXISTS mark_pass_in_wallet() CASCADE`.execute(db);
  await sql`ALTER TABLE passes DROP COLUMN IF EXISTS in_wallet`.execute(db);
  await sql`DROP INDEX IF EXISTS wallet_registrations_tenant`.execute(db);
  await sql`ALTER TABLE wallet_registrations DROP COLUMN IF EXISTS changed_at`.execute(db);
  await sql`DROP TABLE IF EXISTS google_wallet_objects`.execute(db);
}
