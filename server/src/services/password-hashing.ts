import pLimit from 'p-limit';
import { decoyHash, hashPassword, verifyPassword } from '../domain/passwords';
import { ApiError } from '../errors';

/**
 * scrypt runs on libuv's thread pool (four threads), which gzip and file reads share: this many
 * hashes at once leave the rest of the pool to the door's sync and everything else.
 */
const HASHES_AT_ONCE = 2;
/** Past this many waiting, a request needing a hash is told the server is busy (503). */
const MOST_WAITING = 64;

export interface PasswordHashing {
  hash(password: string): Promise<string>;
  /** Whether `password` is the one hashed in `stored`; without a hash, checks a decoy (as slow). */
  verify(password: string, stored: string | null | undefined): Promise<boolean>;
}

/** Password hashing with a bound on how many hashes run at once, and on how many may wait. */
export function createPasswordHashing(): PasswordHashing {
  const limit = pLimit(HASHES_AT_ONCE);
  function run<T>(work: () => Promise<T>): Promise<T> {
    if (limit.pendingCount >= MOST_WAITING) {
      throw new ApiError(503, 'Too many passwords being checked: try again in a few seconds', {
        'Retry-After': '2',
      });
    }
    return limit(work);
  }
  return {
    hash: (password) => run(() => hashPassword(password)),
    verify: (password, stored) =>
      run(async () => {
        const matches = await verifyPassword(password, stored ?? (await decoyHash()));
        return Boolean(stored) && matches;
      }),
  };
}
