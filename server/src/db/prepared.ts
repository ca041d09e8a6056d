import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/** `/* statement: NAME *\/` at the very start of a query's text names it. */
const NAMED_STATEMENT = /^\/\* statement: ([a-z_]+) \*\//;

/** Runs a query, as a named statement when its text names one. */
function queryNamingStatements(client: pg.PoolClient) {
  return (text: string, parameters: ReadonlyArray<unknown> = []) => {
    const name = NAMED_STATEMENT.exec(text)?.[1];
    return name
      ? client.query({ name, text, values: [...parameters] })
      : client.query(text, [...parameters]);
  };
}

/**
 * A `pg` pool for Kysely in which a query whose text starts with `/* statement: NAME *\/` is sent
 * as a named statement: node-postgres prepares it once per connection, and PostgreSQL stops
 * parsing and planning it on every call. The scan is such a statement; planning its one large
 * query each time cost more than running it. Every other query passes through untouched.
 */
export function namedStatementPool(pool: pg.Pool): PostgresPool {
  // One wrapper per connection, so that Kysely (which keys its state by client) sees the same one.
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    options: pool.options,
    end: () => pool.end(),
    async connect() {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (!wrapper) {
        wrapper = {
          query: queryNamingStatements(client),
          release: (destroy?: boolean) => client.release(destroy),
        } as unknown as PostgresPoolClient;
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
  };
}
