import { type Kysely, sql } from 'kysely';

// Servers keep each API key's caller (key and tenant) in memory. Any change to a key or a tenant,
// by the admin CLI or by hand in SQL, announces itself on this channel when it commits, and every
// server instance listening forgets what it kept.
// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE FUNCTION notify_auth_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('passgate_auth_changed', TG_TABLE_NAME);
      RETURN NULL;
    END
    $$`.execute(db);
  for (const table of ['api_keys', 'tenants']) {
    await sql`CREATE TRIGGER ${sql.id(`${table}_auth_change`)} AFTER UPDATE OR DELETE ON ${sql.table(table)}
      FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change()`.execute(db);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['api_keys', 'tenants']) {
    await sql`DROP TRIGGER IF EXISTS ${sql.id(`${table}_auth_change`)} ON ${sql.table(table)}`.execute(
      db,
    );
  }
  await sql`DROP FUNCTION IF EXISTS notify_auth_change()`.execute(db);
}
