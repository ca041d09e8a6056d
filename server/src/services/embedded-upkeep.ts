import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema';
import type { Logger } from '../logger';

// PGlite runs no autovacuum: without this, its planner knows a table only as it was when first
// made (empty) and picks plans for that, and dead rows are never reclaimed. This does what
// autovacuum would, with its default thresholds: a table is analyzed once more than 50 rows and
// 10% of it changed since it last was, and vacuumed once more than 50 rows and 20% of it are dead.

const BASE_ROWS = 50;
const ANALYZE_SHARE = 0.1;
const VACUUM_SHARE = 0.2;
/** How often the embedded server looks for tables to analyze or vacuum. */
export const UPKEEP_EVERY_MS = 30_000;
/**
 * The rows ANALYZE reads are 300 times this: 7,500, not PostgreSQL's 30,000. An ANALYZE holds
 * the embedded database's one connection, and of `passes` at 100,000 rows it took 0.3–0.45 s at
 * the default, 0.09 s at this; a venue's database plans as well from the smaller sample.
 */
const STATISTICS_TARGET = 25;

/** The tables due for ANALYZE or VACUUM by autovacuum's thresholds. */
export async function tablesDue(db: Kysely<Database>) {
  const { rows } = await sql<{ table: string; analyze: boolean; vacuum: boolean }>`
    SELECT s.relname AS table,
           s.n_mod_since_analyze > ${BASE_ROWS} + ${ANALYZE_SHARE} * greatest(c.reltuples, 0) AS analyze,
           s.n_dead_tup > ${BASE_ROWS} + ${VACUUM_SHARE} * greatest(c.reltuples, 0) AS vacuum
      FROM pg_stat_user_tables s
      JOIN pg_class c ON c.oid = s.relid
     WHERE s.schemaname = current_schema()
     ORDER BY s.relname`.execute(db);
  return rows.filter((row) => row.analyze || row.vacuum);
}

/** Analyzes (and where due, vacuums) every table due; the tables it did. */
export async function upkeep(db: Kysely<Database>) {
  const due = await tablesDue(db);
  for (const { table, vacuum } of due) {
    await sql`${sql.raw(vacuum ? 'VACUUM (ANALYZE)' : 'ANALYZE')} ${sql.table(table)}`.execute(db);
  }
  return due;
}

/**
 * On the embedded database: every table analyzed now (after migrations, so that the first
 * requests are planned for the data there is), then upkeep every `everyMs` until stopped.
 */
export async function startEmbeddedUpkeep(options: {
  db: Kysely<Database>;
  logger: Logger;
  everyMs?: number;
}) {
  const { db, logger, everyMs = UPKEEP_EVERY_MS } = options;
  // A setting of the session, which on PGlite is the only one; only ANALYZE reads it.
  await sql`SET default_statistics_target = ${sql.lit(STATISTICS_TARGET)}`.execute(db);
  await sql`ANALYZE`.execute(db);
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = upkeep(db)
      .then((done) => {
        if (done.length) logger.debug({ tables: done }, 'embedded database upkeep');
      })
      .catch((err) => logger.warn({ err }, 'embedded database upkeep failed'));
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
