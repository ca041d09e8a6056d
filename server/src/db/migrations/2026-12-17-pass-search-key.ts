import { type Kysely, sql } from 'kysely';
import { foldSql } from '../../domain/folding';

// A pass is found by its name, its client's name or its code (`GET /passes?search=`). The three
// are kept folded in one column, `search_key`, under one trigram index, so that a search that
// matches few passes reads those few through the index, and the planner, with statistics on
// the column, walks the newest-first index instead when a search matches many. Triggers keep
// it: a pass's own when its name, code or client changes, and every pass of a client renamed.
// The parts are joined by a line break, which no search of a name or code holds. Three more
// indexes serve the status filter.

/**
 * A pass's key as SQL, from the three expressions given: its name folded (`foldSql`), its
 * client's folded name and its code. Written out where it is used: a trigger that calls a SQL
 * function for it makes an import of passes half as fast again.
 */
const searchKey = (name: string, clientKey: string, code: string) =>
  sql`${foldSql(sql.raw(name))} || E'\\n' || coalesce(${sql.raw(clientKey)}, '') || E'\\n'
      || lower(${sql.raw(code)})`;

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE passes ADD COLUMN search_key text NOT NULL DEFAULT ''`.execute(db);
  // Filling the column changes nothing a door, a wallet or a revocation list follows.
  await sql`ALTER TABLE passes DISABLE TRIGGER USER`.execute(db);
  await sql`UPDATE passes SET search_key = ${searchKey('passes.name', 'clients.name_key', 'passes.code')}
              FROM clients WHERE clients.id = passes.client_id`.execute(db);
  await sql`UPDATE passes SET search_key = ${searchKey('name', 'NULL', 'code')}
             WHERE client_id IS NULL`.execute(db);
  await sql`ALTER TABLE passes ENABLE TRIGGER USER`.execute(db);

  await sql`
    CREATE FUNCTION passes_search_key() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.search_key := ${searchKey(
        'NEW.name',
        'CASE WHEN NEW.client_id IS NULL THEN NULL ELSE (SELECT name_key FROM clients WHERE id = NEW.client_id) END',
        'NEW.code',
      )};
      RETURN NEW;
    END
    $$`.execute(db);
  await sql`CREATE TRIGGER passes_search_key BEFORE INSERT OR UPDATE OF name, code, client_id
              ON passes FOR EACH ROW EXECUTE FUNCTION passes_search_key()`.execute(db);
  await sql`
    CREATE FUNCTION client_passes_search_key() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE passes SET search_key = ${searchKey('name', 'NEW.name_key', 'code')}
       WHERE client_id = NEW.id;
      RETURN NULL;
    END
    $$`.execute(db);
  await sql`CREATE TRIGGER clients_passes_search_key AFTER UPDATE OF name ON clients
              FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
              EXECUTE FUNCTION client_passes_search_key()`.execute(db);

  await sql`DROP INDEX IF EXISTS passes_search`.execute(db);
  await sql`CREATE INDEX passes_search_key ON passes USING gin (search_key gin_trgm_ops)`.execute(
    db,
  );
  // The status filter: the passes no longer active (used or revoked), in the list's order, for
  // each tenant; the passes that end, for `expired` when few have; and the multi passes used
  // up, which read `used`. Each is partial: an index led by the tenant alone that covers every
  // pass is one a scan's generic plan, made without statistics, may take to find a pass by
  // tenant instead of by code.
  await sql`CREATE INDEX passes_tenant_settled ON passes (tenant_id, created_at DESC, id DESC)
             WHERE status <> 'active'`.execute(db);
  await sql`CREATE INDEX passes_tenant_valid_until ON passes (tenant_id, valid_until)
             WHERE valid_until IS NOT NULL`.execute(db);
  await sql`CREATE INDEX passes_tenant_exhausted ON passes (tenant_id, created_at DESC, id DESC)
             WHERE type = 'multi' AND max_usages IS NOT NULL AND usages_count >= max_usages`.execute(
    db,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS passes_tenant_exhausted`.execute(db);
  await sql`DROP INDEX IF EXISTS passes_tenant_valid_until`.execute(db);
  await sql`DROP INDEX IF EXISTS passes_tenant_settled`.execute(db);
  await sql`DROP INDEX IF EXISTS passes_search_key`.execute(db);
  await sql`DROP TRIGGER IF EXISTS clients_passes_search_key ON clients`.execute(db);
  await sql`DROP FUNCTION IF EXISTS client_passes_search_key()`.execute(db);
  await sql`DROP TRIGGER IF EXISTS passes_search_key ON passes`.execute(db);
  await sql`DROP FUNCTION IF EXISTS passes_search_key()`.execute(db);
  await sql`ALTER TABLE passes DROP COLUMN IF EXISTS search_key`.execute(db);
  await sql`CREATE INDEX passes_search ON passes USING gin (
    lower(coalesce(name, '')) gin_trgm_ops, lower(code) gin_trgm_ops)`.execute(db);
}
