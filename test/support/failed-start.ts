import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import { newDataDir, REPO_ROOT, SERVER_ARGS } from './server';

/**
 * Runs the server to its end with `env` over a fresh PGlite, expecting a start that cannot go
 * on: exit 1, no stack. Answers its stderr.
 */
export function failedStart(env: Record<string, string>): string {
  const run = spawnSync(process.execPath, SERVER_ARGS, {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: '',
      REDIS_URL: '',
      DATA_DIR: newDataDir(),
      PORT: '0',
      ...env,
    },
    encoding: 'utf8',
    // A server that starts where it should have refused is killed, and the test fails.
    timeout: 30_000,
    killSignal: 'SIGKILL',
  });
  expect(run.status).toBe(1);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  return run.stderr;
}
