import type { MiddlewareHandler } from 'hono';
import { ApiError, DISK_FULL_RETRY_AFTER_SECONDS } from '../errors';
import type { DiskSpace } from '../services/disk-space';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * While the database's disk is nearly full, every write is refused with 507 and Retry-After
 * before it reaches the database; reads go on. A door's scanner takes the 507 as the server
 * being out of reach: it decides on the phone and uploads later.
 */
export function refuseWritesWhileDiskLow(options: { disk: DiskSpace }): MiddlewareHandler {
  const { disk } = options;
  return async function refuseWritesWhileDiskLowMiddleware(c, next) {
    if (!READS.has(c.req.method) && disk.low()) {
      throw new ApiError(
        507,
        "The server's disk is nearly full: nothing was written. Try again once the operator has freed space",
        { 'Retry-After': DISK_FULL_RETRY_AFTER_SECONDS },
      );
    }
    await next();
  };
}
