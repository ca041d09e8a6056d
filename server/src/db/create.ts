import { mkdirSync } from 'node:fs';
import { PGlite, types } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import parsePostgresDate from 'postgres-date';
import type { Config } from '../config';
import { namedStatementPool } from './prepared';
import type { Database } from './schema';

const { TIMESTAMPTZ, TIMESTAMP } = types;

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: 'postgres' | 'pglite';
  /**
   * On PostgreSQL, a small second pool for rate-limit counters. Its sessions commit without
   * waiting for the WAL flush (`synchronous_commit = off`): a counter lost in a crash costs
   * nothing, and a request should not pay a disk flush for it.
   */
  counterPool: pg.Pool | undefined;
  close(): Promise<void>;
}

/** PostgreSQL through `pg` when `DATABASE_URL` is set, else PGlite persisted under `DATA_DIR`. */
export async function createDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'databasePoolSize'>,
): Promise<DatabaseHandle> {
  if (config.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: config.databasePoolSize,
    });
    // An idle client that errors (e.g. the server restarted) must not crash the process.
    pool.on('error', () => {});
    const counterPool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: Math.max(2, Math.ceil(config.databasePoolSize / 4)),
      options: '-c synchronous_commit=off',
    });
    counterPool.on('error', () => {});
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: namedStatementPool(pool) }),
    });
    return {
      db,
      kind: 'postgres',
      counterPool,
      close: async () => {
        await db.destroy();
        await counterPool.end();
      },
    };
  }
  mkdirSync(config.dataDir, { recursive: true });
  const pglite = await PGlite.create(`${config.dataDir}/pgdata`, {
    extensions: { pg_trgm },
    // PGlite's own parser is `new Date(text)`, which reads year 0080 as 1980. Parse timestamps
    // as node-postgres does, so that both databases give the same Date.
    parsers: { [TIMESTAMPTZ]: parsePostgresDate, [TIMESTAMP]: parsePostgresDate },
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return { db, kind: 'pglite', counterPool: undefined, close: () => db.destroy() };
}
