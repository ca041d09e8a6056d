import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServerOptions {
  /** PostgreSQL URL; without it the server uses PGlite under `dataDir`. */
  databaseUrl?: string;
  dataDir?: string;
  env?: Record<string, string>;
}

export interface RunningServer {
  url: string;
  /** The environment that reaches the same database, for the admin CLI. */
  env: Record<string, string>;
  process: ChildProcess;
  logs: string[];
  /** SIGTERM, then wait for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
}

export const newDataDir = () => mkdtempSync(path.join(tmpdir(), 'passgate-test-'));

/**
 * `node …SERVER_ARGS` in REPO_ROOT runs the real server, as `pnpm start` does after its builds
 * (`buildIfStale()`, which global setup and the bench call first).
 */
/** The signing secret of the servers on the run's PostgreSQL (see `startServer`). */
export const TEST_SIGNING_SECRET = 'test-signing-secret-of-the-passgate-suite';

export const SERVER_ARGS = ['--enable-source-maps', 'server/dist/main.js'];

/** What `pnpm start` does before it starts: the scanner and the server's bundle, each if stale. */
export { buildAllIfStale as buildIfStale } from '../../server/build-all-if-stale.mjs';

/** Starts the real server process (the bundle of `server/src/main.ts`) on a free port and waits until it listens. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const env: Record<string, string> = {
    DATA_DIR: options.dataDir ?? newDataDir(),
    // Every server of a PostgreSQL database shares its secret; an embedded one makes its own.
    ...(options.databaseUrl
      ? { DATABASE_URL: options.databaseUrl, SIGNING_SECRET: TEST_SIGNING_SECRET }
      : {}),
    // Webhooks in tests: a local receiver, retries a second apart, a short timeout.
    WEBHOOK_ALLOW_PRIVATE: '1',
    WEBHOOK_RETRY_SCHEDULE: '1,1,1',
    WEBHOOK_TIMEOUT_MS: '1500',
    WEBHOOK_POLL_MS: '100',
    ...options.env,
  };
  const child = spawn(process.execPath, SERVER_ARGS, {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: '',
      // Rate limits count in Redis only where a test asks for it (`env.REDIS_URL`).
      REDIS_URL: '',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  // 'close', not 'exit': it comes once the process's output has all been read into `logs`.
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => resolve(code)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start in 60 s:\n${logs.join('')}`)),
      60_000,
    );
    const onLine = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        logs.push(`${line}\n`);
        if (line.includes('"msg":"listening"')) {
          clearTimeout(timer);
          resolve((JSON.parse(line) as { url: string }).url);
        }
      }
    };
    child.stdout!.on('data', onLine);
    child.stderr!.on('data', onLine);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${logs.join('')}`));
    });
  });
  return {
    url,
    env,
    process: child,
    logs,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
