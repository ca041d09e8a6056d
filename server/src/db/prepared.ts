import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { withDeadline } from '../deadline';

/** `/* statement: NAME *\/` at the very start of a query's text names it. */
const NAMED_STATEMENT = /^\/\* statement: ([a-z_]+) \*\//;

/** The name a query's text gives it (see `NAMED_STATEMENT`), if any. */
export const statementNameOf = (text: string) => NAMED_STATEMENT.exec(text)?.[1];

/** The error of a query the database did not answer in time: treated as out of reach (503). */
export class QueryTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(ms: number) {
    super(`Query timed out: the database did not answer within ${ms} ms`);
  }
}

/**
 * Ends a connection at once. A stalled database keeps the socket open and answers nothing, so
 * waiting for it to close is waiting forever; destroying the socket fails the query in flight,
 * and the pool drops the connection when it is released. (pg has no public call for this: a
 * client's `end()` asks the server politely, which a stalled one never answers.)
 */
function destroyConnection(client: pg.PoolClient) {
  const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection
    ?.stream;
  stream?.destroy();
}

/**
 * Runs a query, as a named statement when its text names one, within `timeoutMs` (0: no limit);
 * past it, the query fails and its connection is closed.
 */
function queryOn(client: pg.PoolClient, timeoutMs: number) {
  return (text: string, parameters: ReadonlyArray<unknown> = []) => {
    const name = statementNameOf(text);
    const query = name
      ? client.query({ name, text, values: [...parameters] })
      : client.query(text, [...parameters]);
    if (timeoutMs === 0) return query;
    return withDeadline(query, timeoutMs, () => {
      destroyConnection(client);
      return new QueryTimeoutError(timeoutMs);
    });
  };
}

/**
 * A `pg` pool for Kysely in which:
 * - a query whose text starts with `/* statement: NAME *\/` is sent as a named statement:
 *   node-postgres prepares it once per connection, and PostgreSQL stops parsing and planning it
 *   on every call (the scan is such a statement; planning it each time cost more than running it);
 * - a query that gets no answer at all within the timeout fails, and its connection is closed,
 *   so a database that stalls (the connection stays open and nothing comes back) costs a
 *   request a bounded wait, never a hang. (A statement that is merely slow is stopped sooner by
 *   PostgreSQL's own `statement_timeout`, which `createDatabase` sets.)
 */
export function databasePool(pool: pg.Pool, timeoutMs: number): PostgresPool {
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
          query: queryOn(client, timeoutMs),
          release: (destroy?: boolean) => client.release(destroy),
        } as unknown as PostgresPoolClient;
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
  };
}
