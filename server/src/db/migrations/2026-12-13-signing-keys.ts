import { type Kysely, sql } from 'kysely';

// Each tenant's Ed25519 keys for signed pass codes. The private key is kept encrypted with the
// server's secret (AES-256-GCM); the public key is what doors and integrators verify with. A key
// signs in a slot (0–7) that a code names; one key at most holds a slot until it is retired.

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE signing_keys (
    tenant_id text NOT NULL REFERENCES tenants (id),
    id text NOT NULL,
    slot smallint NOT NULL CHECK (slot BETWEEN 0 AND 7),
    public_key text NOT NULL,
    private_key text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    retired_at timestamptz,
    PRIMARY KEY (tenant_id, id)
  )`.execute(db);
  await sql`CREATE UNIQUE INDEX signing_keys_slot ON signing_keys (tenant_id, slot)
             WHERE retired_at IS NULL`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS signing_keys`.execute(db);
}
