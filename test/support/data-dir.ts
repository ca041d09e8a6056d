import { cpSync } from 'node:fs';
import { inject } from 'vitest';
import { newDataDir } from './server';

/**
 * A new DATA_DIR holding a copy of the run's embedded database, which global setup made with the
 * real CLI on an empty directory (initdb and every migration, as a first start does). A server or
 * CLI on the copy opens it in about a second instead of spending five on initdb; its data is
 * what a first start leaves: every table, no rows. Tests of a first start itself use
 * `newDataDir()`, an empty directory.
 */
export function migratedDataDir(): string {
  const dataDir = newDataDir();
  cpSync(inject('migratedDataDir'), dataDir, { recursive: true });
  return dataDir;
}
