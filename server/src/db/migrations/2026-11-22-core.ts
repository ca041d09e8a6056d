import { type Kysely, sql } from 'kysely';

// Migrations take Kysely<any>: they describe the schema at their own point in history.
// biome-ignore lint/suspicious/noExplicitAny: see above
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);

  await db.schema
    .createTable('tenants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('plan', 'text', (c) => c.notNull().check(sql`plan IN ('free', 'basic', 'pro')`))
    .addColumn('max_passes', 'integer')
    .addColumn('webhook_quota', 'integer', (c) => c.notNull().defaultTo(10))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('scope', 'text', (c) => c.notNull().check(sql`scope IN ('full', 'scan')`))
    .addColumn('rate_limit', 'integer')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('api_keys_prefix').on('api_keys').column('prefix').execute();

  await db.schema
    .createTable('clients')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('notes', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // List (newest first), attach-by-name, and case-insensitive substring search.
  await sql`CREATE INDEX clients_tenant_newest ON clients (tenant_id, created_at DESC, id DESC)`.execute(
    db,
  );
  await sql`CREATE INDEX clients_tenant_name ON clients (tenant_id, name)`.execute(db);
  await sql`CREATE INDEX clients_search ON clients USING gin (
    lower(name) gin_trgm_ops, lower(coalesce(email, '')) gin_trgm_ops, lower(coalesce(phone, '')) gin_trgm_ops)`.execute(
    db,
  );

  await db.schema
    .createTable('passes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('public_token', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('note', 'text')
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type IN ('single', 'multi')`))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status IN ('active', 'used', 'revoked')`),
    )
    .addColumn('usages_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_usages', 'integer')
    .addColumn('valid_from', 'timestamptz')
    .addColumn('valid_until', 'timestamptz')
    .addColumn('fields', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('template_id', 'text')
    .addColumn('location_id', 'text')
    .addColumn('client_id', 'text', (c) => c.references('clients.id'))
    .addColumn('last_admitted_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`CREATE INDEX passes_tenant_newest ON passes (tenant_id, created_at DESC, id DESC)`.execute(
    db,
  );
  await sql`CREATE INDEX passes_search ON passes USING gin (
    lower(coalesce(name, '')) gin_trgm_ops, lower(code) gin_trgm_ops)`.execute(db);
  await sql`CREATE INDEX passes_client ON passes (client_id)`.execute(db);

  await db.schema
    .createTable('scans')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('pass_id', 'text', (c) => c.notNull().references('passes.id'))
    .addColumn('api_key_id', 'text', (c) => c.references('api_keys.id'))
    .addColumn('device', 'text')
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('scanned_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`CREATE INDEX scans_tenant_newest ON scans (tenant_id, scanned_at DESC, id DESC)`.execute(
    db,
  );
  await sql`CREATE INDEX scans_pass ON scans (pass_id, scanned_at DESC)`.execute(db);

  await db.schema
    .createTable('events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`CREATE INDEX events_tenant_type_newest ON events (tenant_id, type, created_at DESC, id DESC)`.execute(
    db,
  );

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('api_key_id', 'text', (c) => c.notNull().references('api_keys.id'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['api_key_id', 'key'])
    .execute();
  await db.schema
    .createIndex('idempotency_keys_created')
    .on('idempotency_keys')
    .column('created_at')
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'idempotency_keys',
    'events',
    'scans',
    'passes',
    'clients',
    'api_keys',
    'tenants',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
