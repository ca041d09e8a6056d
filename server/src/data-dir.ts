import { mkdirSync } from 'node:fs';
import { StartError } from './start-error';

/** Makes DATA_DIR, or says in words why it cannot be used. */
export function makeDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw new StartError(`DATA_DIR ${dataDir} cannot be used: ${(error as Error).message}`);
  }
}
