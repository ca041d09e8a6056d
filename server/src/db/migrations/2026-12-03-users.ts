import { type Kysely, sql } from 'kysely';

// `devices.queue_size` is how many scans a door said wait on it to upload (`X-Device-Queue`).
//
// The dashboard's people: tenant users, their invitations, and their signed-in sessions. Only
// hashes of invitation and session tokens are kept; a password is kept as its scrypt hash.
//
// `scans.stream_xid` is the id of the transaction that wrote the scan: the live scan stream reads
// from a floor of transaction ids, as a door's sync does (ADR 4), so it misses no scan however
// transactions commit.
// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE users (
    id text PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants (id),
    email text NOT NULL,
    name text,
    role text NOT NULL CHECK (role IN ('admin', 'staff')),
    password_hash text,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_sign_in_at timestamptz,
    disabled_at timestamptz
  )`.execute(db);
  // One person signs in with one email, whichever tenant they belong to.
  await sql`CREATE UNIQUE INDEX users_by_email ON users (lower(email))`.execute(db);
  await sql`CREATE INDEX users_by_tenant ON users (tenant_id, created_at)`.execute(db);

  await sql`CREATE TABLE user_invites (
    token_hash text PRIMARY KEY,
    user_id text NOT NULL REFERENCES users (id),
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await sql`CREATE INDEX user_invites_by_user ON user_invites (user_id)`.execute(db);

  await sql`CREATE TABLE sessions (
    token_hash text PRIMARY KEY,
    user_id text NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    ended_at timestamptz
  )`.execute(db);
  await sql`CREATE INDEX sessions_by_user ON sessions (user_id) WHERE ended_at IS NULL`.execute(db);

  await sql`ALTER TABLE devices ADD COLUMN queue_size integer`.execute(db);

  await sql`ALTER TABLE scans ADD COLUMN stream_xid xid8 NOT NULL DEFAULT pg_current_xact_id()`.execute(
    db,
  );
  await sql`CREATE INDEX scans_by_stream ON scans (tenant_id, stream_xid, id)`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS scans_by_stream`.execute(db);
  await sql`ALTER TABLE scans DROP COLUMN IF EXISTS stream_xid`.execute(db);
  await sql`ALTER TABLE devices DROP COLUMN IF EXISTS queue_size`.execute(db);
  await sql`DROP TABLE IF EXISTS sessions`.execute(db);
  await sql`DROP TABLE IF EXISTS user_invites`.execute(db);
  await sql`DROP TABLE IF EXISTS users`.execute(db);
}
