import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Config } from '../config';
import { makeDataDir } from '../data-dir';
import { StartError } from '../start-error';
import { migrateToLatest } from './migrate';
import { databasePool } from './prepared';
import type { Database } from './schema';

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: 'postgres' | 'pglite';
  /**
   * On PostgreSQL, a small second pool for rate-limit counters. Its sessions commit without
   * waiting for the WAL flush (`synchronous_commit = off`): a counter lost in a crash costs
   * nothing, and a request should not pay a disk flush for it.
   */
  counterPool: pg.Pool | undefined;
  /**
   * Brings the schema up to date (see `migrateToLatest`), with no query timeout: a migration on
   * a large database may rightly take minutes. Run it before serving requests.
   */
  migrate(): Promise<string[]>;
  /** Resolves when the database answers (see `Services.databaseAnswers`). */
  ping(): Promise<unknown>;
  /** Follows NOTIFYs on a channel until the returned function is called. */
  listen(channel: string, listener: ChannelListener): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface ChannelListener {
  onNotify(): void;
  /** True once notifications arrive; false while they might be missed (reconnecting). */
  onListening(listening: boolean): void;
}

const RELISTEN_AFTER_MS = 1000;

/**
 * Named statements (`db/prepared.ts`; the scan is one) always run with the plan made once for
 * any parameters. Left to choose, PostgreSQL judges the scan's generic plan dearer than a plan
 * for the scan at hand and plans it again on every call, close to twice the work for a scan
 * that goes alone (ADR 2). Its generic plan reaches every row by index (a test holds it to
 * that). The setting holds for the unnamed statements of every other query too: where a plan
 * depends on a value (a search's pattern, the instant a status is judged at), the query writes
 * that value into its text as a literal (`searchLiteral` in `routes/support.ts`).
 */
const NAMED_STATEMENT_PLANS = 'force_generic_plan';

/**
 * Pools keep the connections they have opened (pg-pool's `idleTimeoutMillis: 0`), as a
 * fixed-size pool does: the next rush at the door then finds them ready instead of paying a
 * connection start each, and a pool's worth of backends does not exit all at once ten seconds
 * (pg's default) after a burst, which stalls other work on a small machine. Their
 * `application_name` says which server process holds them.
 */
const KEEP_IDLE_CONNECTIONS = 0;

/**
 * LISTEN on a dedicated connection (a pooled one would be handed to other queries), reconnecting
 * after a second whenever it is lost, and saying so through `onListening`.
 */
async function listenOnPostgres(databaseUrl: string, channel: string, listener: ChannelListener) {
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;

  const lost = (lostClient: pg.Client) => {
    if (client !== lostClient) return;
    client = undefined;
    listener.onListening(false);
    lostClient.end().catch(() => {});
    if (!stopped) retry = setTimeout(connect, RELISTEN_AFTER_MS);
  };

  async function connect() {
    const candidate = new pg.Client({
      connectionString: databaseUrl,
      application_name: `passgate ${process.pid} listener`,
    });
    client = candidate;
    candidate.on('notification', () => listener.onNotify());
    candidate.on('error', () => lost(candidate));
    candidate.on('end', () => lost(candidate));
    try {
      await candidate.connect();
      await candidate.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      if (client === candidate) listener.onListening(true);
    } catch {
      lost(candidate);
    }
  }

  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    const last = client;
    client = undefined;
    listener.onListening(false);
    await last?.end().catch(() => {});
  };
}

/**
 * A connection that drops (PostgreSQL restarts, the network to it goes) must not crash the
 * process. pg emits 'error' on the client: an idle one's reaches the pool's listener, but a
 * checked-out one (in a transaction, or between its queries) has none of its own, and an
 * 'error' event without a listener throws. Its running query fails all the same, and the pool
 * drops the dead client when it is released.
 */
function surviveDroppedConnections(pool: pg.Pool) {
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
}

const CONNECT_CHECK_TIMEOUT_MS = 10_000;

/**
 * Every wait on PostgreSQL is bounded, so that a request fails with 503 instead of hanging:
 * - a new connection, or a free one from the pool, within the connect timeout;
 * - a statement within the query timeout, enforced by PostgreSQL itself (`statement_timeout`):
 *   a statement it gives up (one waiting on a row lock, say) is rolled back there, so a scan
 *   answered 503 can never be decided later;
 * - a database that stalls (the connection stays open and nothing comes back) answers nothing,
 *   not even that cancellation: the client gives the connection up a moment after the query
 *   timeout (see `databasePool`), and TCP keepalive finds a peer that has left the network.
 * The pool opens fresh connections once the database answers again.
 */
const CONNECT_TIMEOUT_MS = 5_000;
/** How much longer than the statement timeout the client waits before it calls the link stalled. */
const STALL_MARGIN_MS = 1_000;
const KEEPALIVE_DELAY_MS = 10_000;
const COUNTER_TIMEOUT_MS = 1_000;

/**
 * Connects once, so that a PostgreSQL out of reach, a missing database or a refused role stops
 * the start with words (and within ten seconds, where a firewall drops the packets) rather than
 * a stack from the first query.
 */
async function checkConnection(databaseUrl: string): Promise<void> {
  const client = new pg.Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: CONNECT_CHECK_TIMEOUT_MS,
  });
  client.on('error', () => {}); // reported by connect() below
  try {
    await client.connect();
  } catch (error) {
    const url = new URL(databaseUrl);
    // The host, port and database only: the URL may carry a password.
    throw new StartError(
      `DATABASE_URL: could not connect to PostgreSQL at ${url.host}${url.pathname} (${(error as Error).message})`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Migrations on a connection of their own, with none of the pool's timeouts: a migration on a
 * large database may rightly take minutes.
 */
async function migrateWithoutTimeouts(databaseUrl: string): Promise<string[]> {
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: new pg.Pool({
        connectionString: databaseUrl,
        max: 1,
        application_name: `passgate ${process.pid} migrations`,
      }),
    }),
  });
  try {
    return await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
}

/** PostgreSQL through `pg` when `DATABASE_URL` is set, else PGlite persisted under `DATA_DIR`. */
export async function createDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'databasePoolSize' | 'databaseQueryTimeoutMs'>,
): Promise<DatabaseHandle> {
  const { databaseUrl } = config;
  if (databaseUrl) {
    await checkConnection(databaseUrl);
    const bounded = {
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    };
    const pool = new pg.Pool({
      ...bounded,
      connectionString: databaseUrl,
      max: config.databasePoolSize,
      idleTimeoutMillis: KEEP_IDLE_CONNECTIONS,
      application_name: `passgate ${process.pid}`,
      options: `-c plan_cache_mode=${NAMED_STATEMENT_PLANS} -c statement_timeout=${config.databaseQueryTimeoutMs}`,
    });
    surviveDroppedConnections(pool);
    const counterPool = new pg.Pool({
      ...bounded,
      // A counter that gets no answer in time is counted in memory (see services/rate-limits).
      query_timeout: COUNTER_TIMEOUT_MS,
      connectionString: databaseUrl,
      max: Math.max(2, Math.ceil(config.databasePoolSize / 4)),
      idleTimeoutMillis: KEEP_IDLE_CONNECTIONS,
      application_name: `passgate ${process.pid} counters`,
      options: '-c synchronous_commit=off',
    });
    surviveDroppedConnections(counterPool);
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({
        pool: databasePool(pool, config.databaseQueryTimeoutMs + STALL_MARGIN_MS),
      }),
    });
    return {
      db,
      kind: 'postgres',
      counterPool,
      migrate: () => migrateWithoutTimeouts(databaseUrl),
      ping: () => sql`SELECT 1`.execute(db),
      listen: (channel, listener) => listenOnPostgres(databaseUrl, channel, listener),
      close: async () => {
        await db.destroy();
        await counterPool.end();
      },
    };
  }
  makeDataDir(config.dataDir);
  // Loaded only for the embedded database: a server or CLI on PostgreSQL never needs it.
  const { openEmbedded } = await import('./embedded');
  const embedded = await openEmbedded(`${config.dataDir}/pgdata`);
  const db = new Kysely<Database>({ dialect: embedded.dialect });
  return {
    db,
    kind: 'pglite',
    counterPool: undefined,
    migrate: () => migrateToLatest(db),
    ping: embedded.ping,
    // One process owns the database, so every change goes through this PGlite and is heard.
    async listen(channel, listener) {
      const unlisten = await embedded.listen(channel, () => listener.onNotify());
      listener.onListening(true);
      return async () => {
        listener.onListening(false);
        await unlisten();
      };
    },
    close: () => db.destroy(),
  };
}
