import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { createFreshDatabase } from './database';
import { REPO_ROOT, type RunningServer, startServer } from './server';

declare module 'vitest' {
  export interface ProvidedContext {
    server: { url: string; env: Record<string, string> };
    /** A fresh PostgreSQL database for this run, or undefined on PGlite. */
    databaseUrl: string | undefined;
    /** REDIS_URL of the run, for the tests of rate limits counted in Redis; else undefined. */
    redisUrl: string | undefined;
  }
}

export default async function setup(project: TestProject) {
  // The server serves the built scanner; build it if its sources changed.
  execFileSync(process.execPath, ['scanner/build-if-stale.mjs'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
  // With DATABASE_URL set, the run gets its own fresh database on that server, dropped at the end.
  const database = process.env.DATABASE_URL
    ? await createFreshDatabase(process.env.DATABASE_URL, 'passgate_test')
    : undefined;
  let server: RunningServer;
  try {
    server = await startServer({ databaseUrl: database?.url });
  } catch (error) {
    await database?.drop();
    throw error;
  }
  project.provide('server', { url: server.url, env: server.env });
  project.provide('databaseUrl', database?.url);
  project.provide('redisUrl', process.env.REDIS_URL || undefined);
  return async () => {
    await server.stop();
    await database?.drop();
  };
}
