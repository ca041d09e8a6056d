import { accessSync, constants, mkdirSync } from 'node:fs';
import { StartError } from './start-error';

/** Makes DATA_DIR, or says in words (one line) why it cannot be used: missing, read-only… */
export function makeDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true });
    accessSync(dataDir, constants.R_OK | constants.W_OK);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const why =
      code === 'EROFS'
        ? 'it is on a read-only file system'
        : code === 'EACCES' || code === 'EPERM'
          ? 'this user may not write there'
          : message;
    throw new StartError(`DATA_DIR ${dataDir} cannot be used: ${why}`);
  }
}
