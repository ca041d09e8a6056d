import { type Kysely, sql } from 'kysely';

// The outbox of Apple Wallet pushes: a change of what a pass shows arms one push for each phone
// holding it, in the transaction of the change, so a crash never loses one. Several changes
// before the push goes make one push (Wallet fetches the latest pass either way).

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE wallet_pushes (
    pass_id text NOT NULL,
    device_library_id text NOT NULL,
    tenant_id text NOT NULL,
    push_token text NOT NULL,
    due_at timestamptz NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    PRIMARY KEY (pass_id, device_library_id),
    FOREIGN KEY (pass_id, device_library_id)
      REFERENCES wallet_registrations (pass_id, device_library_id) ON DELETE CASCADE
  )`.execute(db);
  await sql`CREATE INDEX wallet_pushes_due ON wallet_pushes (due_at)`.execute(db);
  await sql`
    CREATE FUNCTION arm_wallet_pushes() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO wallet_pushes (pass_id, device_library_id, tenant_id, push_token, due_at)
      SELECT pass_id, device_library_id, tenant_id, push_token, now()
        FROM wallet_registrations WHERE pass_id = NEW.id
          ON CONFLICT (pass_id, device_library_id) DO UPDATE
         SET due_at = least(wallet_pushes.due_at, excluded.due_at),
             push_token = excluded.push_token;
      RETURN NULL;
    END $$`.execute(db);
  await sql`CREATE TRIGGER passes_wallet_push AFTER UPDATE ON passes FOR EACH ROW
              WHEN (OLD.updated_at IS DISTINCT FROM NEW.updated_at)
              EXECUTE FUNCTION arm_wallet_pushes()`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS passes_wallet_push ON passes`.execute(db);
  await sql`DROP FUNCTION IF EXISTS arm_wallet_pushes()`.execute(db);
  await sql`DROP TABLE IF EXISTS wallet_pushes`.execute(db);
}
