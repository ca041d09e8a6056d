import { type ChildProcess, spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { vi } from 'vitest';
import { closedPort } from './ports';

export interface OwnRedis {
  url: string;
  process: ChildProcess;
  /** A client of the test's own, to look at what the server wrote. */
  client: Redis;
  close(): Promise<void>;
}

/** A Redis server of the test's own (Debian's `redis-server`), on a free port, keeping nothing. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await closedPort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { lazyConnect: true });
  client.on('error', () => {}); // refused until the server is up: waited for below
  await vi.waitUntil(
    () =>
      client.connect().then(
        () => true,
        () => {
          client.disconnect();
          return false;
        },
      ),
    { timeout: 10_000, interval: 100 },
  );
  return {
    url,
    process: child,
    client,
    async close() {
      client.disconnect();
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await new Promise((resolve) =>
        child.exitCode === null ? child.once('exit', resolve) : resolve(null),
      );
    },
  };
}
