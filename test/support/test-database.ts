import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Insertable, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { createDatabase, type DatabaseHandle } from '../../server/src/db/create';
import { migrateTo } from '../../server/src/db/migrate';
import type { Database, PassTable } from '../../server/src/db/schema';
import { newId, newPassCode } from '../../server/src/domain/ids';
import { snapshot } from '../../server/src/domain/sweep';
import { RULE_LOCATIONS, RULE_REENTRY } from './arbitrary-pass';
import { createFreshDatabase } from './database';

export interface TestDatabase {
  handle: DatabaseHandle;
  /** A fresh pro tenant, so that tests sharing a database never see each other's rows. */
  tenantId: string;
  /** A key of that tenant, for the rows that name the key that made them (scans). */
  apiKeyId: string;
  close(): Promise<void>;
}

/** A row for a new pass of the tenant: an active single pass with a fresh code, unless told. */
export function newPassRow<T extends Partial<Insertable<PassTable>>>(tenantId: string, pass?: T) {
  const row = {
    id: newId('pass'),
    tenant_id: tenantId,
    code: newPassCode(),
    public_token: 'x',
    name: null,
    note: null,
    type: 'single',
    status: 'active',
    max_usages: null,
    valid_from: null,
    valid_until: null,
    fields: '[]',
    template_id: null,
    location_id: null,
    client_id: null,
    last_admitted_at: null,
    updated_at: new Date(),
  } satisfies Insertable<PassTable>;
  return { ...row, ...pass } as Omit<typeof row, keyof T> & T;
}

/**
 * For tests beside the code that check SQL against its TypeScript twin: a migrated database
 * (PGlite in a temporary directory; the PostgreSQL of the run when DATABASE_URL is set).
 */
export async function openTestDatabase(): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'passgate-sql-'));
  const handle = await createDatabase({
    databaseUrl: inject('databaseUrl'),
    dataDir,
    databasePoolSize: 2,
    databaseQueryTimeoutMs: 30_000,
  });
  await handle.migrate();
  const tenantId = newId('ten');
  await handle.db
    .insertInto('tenants')
    .values({ id: tenantId, name: 'sql', plan: 'pro', max_passes: null })
    .execute();
  await handle.db
    .insertInto('locations')
    .values(
      RULE_LOCATIONS.map((id) => ({
        tenant_id: tenantId,
        id,
        name: id,
        address: null,
        latitude: null,
        longitude: null,
        capacity: null,
        reentry: RULE_REENTRY[id] ?? false,
        archived_at: null,
      })),
    )
    .execute();
  const apiKeyId = newId('key');
  await handle.db
    .insertInto('api_keys')
    .values({
      id: apiKeyId,
      tenant_id: tenantId,
      prefix: '2pk_sql',
      key_hash: apiKeyId,
      scope: 'full',
      rate_limit: null,
    })
    .execute();
  return {
    handle,
    tenantId,
    apiKeyId,
    close: async () => {
      await handle.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A test database for the whole file: opened before its tests, closed after them. Its fields
 * read the open database (use them inside tests and hooks, not at the file's top level).
 */
export function useTestDatabase(): TestDatabase {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database?.close());
  const open = () => {
    if (!database) throw new Error('the test database opens in beforeAll');
    return database;
  };
  return {
    get handle() {
      return open().handle;
    },
    get tenantId() {
      return open().tenantId;
    },
    get apiKeyId() {
      return open().apiKeyId;
    },
    close: () => open().close(),
  };
}

/**
 * An empty database of its own, not migrated (PGlite in a temporary directory, or a new
 * database on the run's PostgreSQL): for a migration's test, which brings it up to the schema
 * before that migration, writes the data it must carry over, and migrates.
 */
export async function openEmptyDatabase(): Promise<{
  handle: DatabaseHandle;
  close(): Promise<void>;
}> {
  const baseUrl = inject('databaseUrl');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'passgate-migration-'));
  const fresh = baseUrl ? await createFreshDatabase(baseUrl, 'passgate_migration') : undefined;
  const handle = await createDatabase({
    databaseUrl: fresh?.url,
    dataDir,
    databasePoolSize: 2,
    databaseQueryTimeoutMs: 30_000,
  });
  return {
    handle,
    close: async () => {
      await handle.close();
      await fresh?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * For a migration's test, called once at the top of its file: an empty database of its own,
 * brought up to `before` (the migration ahead of the one under test), with two tenants to write
 * the data the migration must carry over; closed after the file's tests.
 */
export function useDatabaseBefore(before: string) {
  const state = {} as { handle: DatabaseHandle; tenants: [string, string] };
  let close = async () => {};
  beforeAll(async () => {
    const opened = await openEmptyDatabase();
    close = opened.close;
    await migrateTo(opened.handle.db, before);
    const tenants: [string, string] = [newId('ten'), newId('ten')];
    for (const id of tenants) {
      await opened.handle.db
        .insertInto('tenants')
        .values({ id, name: id, plan: 'pro', max_passes: null })
        .execute();
    }
    Object.assign(state, { handle: opened.handle, tenants });
  });
  afterAll(() => close());
  return state;
}

/**
 * Waits until every transaction that had begun when it was called has ended, anywhere on the
 * database server: another test file's open transaction holds every sync's and scan stream's
 * floor behind it, and they hand its era's rows again (ADR 4). A test that asserts nothing is
 * handed twice waits for this first.
 */
export async function pastRunningTransactions(db: Kysely<Database>) {
  const { next } = await snapshot(db);
  await expect
    .poll(async () => BigInt((await snapshot(db)).floor) >= BigInt(next), { timeout: 30_000 })
    .toBe(true);
}

/**
 * `pastRunningTransactions` on the run's PostgreSQL, for a test that reaches it only through a
 * server. Nothing to wait for on PGlite: each server holds its own.
 */
export async function pastRunningTransactionsOfRun() {
  const databaseUrl = inject('databaseUrl');
  if (!databaseUrl) return;
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl, max: 1 }) }),
  });
  try {
    await pastRunningTransactions(db);
  } finally {
    await db.destroy();
  }
}
