import { Redis } from 'ioredis';
import type { Logger } from './logger';
import { StartError } from './start-error';

export interface RedisConnection {
  client: Redis;
  /** Quits without a warning of Redis being out of reach. */
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 5_000;
const COMMAND_TIMEOUT_MS = 1_000;

/**
 * Connects to the Redis that holds the rate-limit counters (`REDIS_URL`). At start an
 * unreachable Redis is a clear error, as an unreachable database is. Later, ioredis reconnects
 * by itself; while Redis is away, commands fail at once (no offline queue), or after a second if
 * it stops answering, and the rate limits count in memory, so requests are not refused.
 */
export async function connectRedis(url: string, logger: Logger): Promise<RedisConnection> {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // A Redis that stops answering without closing the connection must not hold requests up.
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
  });
  let lastError: Error | undefined;
  const remember = (error: Error) => {
    lastError = error;
  };
  client.on('error', remember);
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    const reason = (lastError ?? (error as Error)).message;
    // The host and port only: the URL may carry a password.
    throw new StartError(`REDIS_URL: could not reach Redis at ${new URL(url).host} (${reason})`);
  }
  client.off('error', remember);

  let reachable = true;
  let closing = false;
  const lost = (error?: Error) => {
    if (!reachable || closing) return;
    reachable = false;
    logger.warn(
      { err: error },
      'Redis is out of reach: rate limits count in this process until it is back',
    );
  };
  client.on('error', lost);
  client.on('close', () => lost());
  client.on('ready', () => {
    if (reachable) return;
    reachable = true;
    logger.info('Redis is back: rate limits count in it again');
  });
  return {
    client,
    async close() {
      closing = true;
      await client.quit().catch(() => client.disconnect());
    },
  };
}
