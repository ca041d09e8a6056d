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
