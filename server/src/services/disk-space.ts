import { statfs } from 'node:fs/promises';
import type { Logger } from '../logger';

/** How often free space is read while it is plentiful, and while it is low. */
const CHECK_EVERY_MS = 5_000;
const CHECK_LOW_EVERY_MS = 1_000;

export interface DiskSpace {
  /** True while the database's disk has less free space than the margin: writes are refused. */
  low(): boolean;
  /** The database said its disk is full: low at once, until a check finds space again. */
  full(): void;
  stop(): void;
}

/**
 * Watches the free space of the embedded database's disk (DATA_DIR). Below the margin (by
 * default four WAL segments of 16 MB), the API refuses writes with 507 before the database
 * itself runs out, which PostgreSQL cannot always survive (it needs room for the next WAL
 * segment even to stop). Reads go on. Says so in the log once when it goes low, once when it
 * recovers. On PostgreSQL (`DATABASE_URL`) the disk is that server's: only `full()` is heard.
 */
export async function watchDiskSpace(options: {
  dir: string | undefined;
  marginBytes: number;
  logger: Logger;
}): Promise<DiskSpace> {
  const { dir, marginBytes, logger } = options;
  let isLow = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function setLow(value: boolean, freeBytes?: number) {
    if (isLow === value) return;
    isLow = value;
    if (value)
      logger.error(
        { freeBytes, marginBytes, dir },
        'disk nearly full: writes are refused (507) until space is freed',
      );
    else logger.info({ freeBytes, dir }, 'disk space recovered: writes are accepted again');
  }

  async function check() {
    if (stopped) return;
    try {
      if (dir) {
        const stats = await statfs(dir);
        const free = stats.bavail * stats.bsize;
        setLow(free < marginBytes, free);
      } else {
        setLow(false);
      }
    } catch (err) {
      logger.warn({ err, dir }, 'could not read the free disk space');
    }
    if (!stopped) {
      timer = setTimeout(check, isLow ? CHECK_LOW_EVERY_MS : CHECK_EVERY_MS);
      timer.unref();
    }
  }

  await check();
  return {
    low: () => isLow,
    full() {
      setLow(true);
      clearTimeout(timer);
      timer = setTimeout(check, CHECK_LOW_EVERY_MS);
      timer.unref();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
