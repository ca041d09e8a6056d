import { Redis } from 'ioredis';
import { StartError } from './start-error';

export interface RedisConnection {
  client: Redis;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 5_000;
const COMMAND_TIMEOUT_MS = 500;

/**
 * Connects to the Redis that holds the rate-limit counters (`REDIS_URL`). At start an
 * unreachable Redis is a clear error, as an unreachable database is. Later, ioredis reconnects
 * by itself; while Redis is away, commands fail at once (no offline queue), or after half a
 * second if it stops answering, and the rate limits count in memory until it answers again.
 */
export async function connectRedis(url: string): Promise<RedisConnection> {
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
  // ioredis reports a lost connection here, and reconnects by itself; the rate limits' circuit
  // (services/rate-limits) notices the failed commands and tells the operator.
  client.on('error', () => {});
  return {
    client,
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
