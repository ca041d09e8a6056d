import pg from 'pg';

export interface FreshDatabase {
  url: string;
  /** Drops it, closing whatever is connected; harmless when it is already gone. */
  drop(): Promise<void>;
}

/** A database of its own on the PostgreSQL at `baseUrl`: for a test run, a test, or the bench. */
export async function createFreshDatabase(baseUrl: string, prefix: string): Promise<FreshDatabase> {
  const name = `${prefix}_${Date.now()}_${process.pid}`;
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: baseUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/**
 * How many connections wait for a lock, as `client` sees it now: those named `applicationName`,
 * or without one, those waiting for a lock that `client` holds. A client inside a transaction
 * would otherwise keep reading the activity it saw first in that transaction (PostgreSQL keeps
 * one snapshot of `pg_stat_activity` a transaction).
 */
export async function lockWaiters(client: pg.Client, applicationName?: string): Promise<number> {
  await client.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await client.query(
    applicationName === undefined
      ? `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))`
      : `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE application_name = $1 AND cardinality(pg_blocking_pids(pid)) > 0`,
    applicationName === undefined ? [] : [applicationName],
  );
  return rows[0].n as number;
}
