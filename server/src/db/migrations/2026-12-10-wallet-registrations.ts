import { type Kysely, sql } from 'kysely';

// The phones that hold a pass in Apple Wallet: each registers its device library id and push
// token for a pass (Apple's Wallet web service), and is told when the pass changes.

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE wallet_registrations (
    tenant_id text NOT NULL REFERENCES tenants (id),
    pass_id text NOT NULL REFERENCES passes (id),
    device_library_id text NOT NULL,
    push_token text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (pass_id, device_library_id)
  )`.execute(db);
  await sql`CREATE INDEX wallet_registrations_device ON wallet_registrations (device_library_id)`.execute(
    db,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS wallet_registrations`.execute(db);
}
