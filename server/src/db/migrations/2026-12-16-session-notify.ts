import { type Kysely, sql } from 'kysely';

// Servers keep each dashboard session's caller in memory too (services/callers.ts), so a session
// ended (signing out, a new password, the user disabled), or a user's role, name or state
// changed, announces itself on the channel of key and tenant changes when it commits. A
// session's `last_seen_at`, written once a minute while it is used, announces nothing.

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TRIGGER sessions_auth_change AFTER UPDATE OF ended_at, expires_at OR DELETE
              ON sessions FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change()`.execute(db);
  await sql`CREATE TRIGGER users_auth_change
              AFTER UPDATE OF role, disabled_at, email, name, tenant_id OR DELETE
              ON users FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change()`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS users_auth_change ON users`.execute(db);
  await sql`DROP TRIGGER IF EXISTS sessions_auth_change ON sessions`.execute(db);
}
