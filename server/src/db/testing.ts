import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { newId } from '../domain/ids';
import { createDatabase, type DatabaseHandle } from './create';
import { migrateToLatest } from './migrate';

export interface TestDatabase {
  handle: DatabaseHandle;
  /** A fresh pro tenant, so that tests sharing a database never see each other's rows. */
  tenantId: string;
  close(): Promise<void>;
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
  });
  await migrateToLatest(handle.db);
  const tenantId = newId('ten');
  await handle.db
    .insertInto('tenants')
    .values({ id: tenantId, name: 'sql', plan: 'pro', max_passes: null })
    .execute();
  return {
    handle,
    tenantId,
    close: async () => {
      await handle.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
