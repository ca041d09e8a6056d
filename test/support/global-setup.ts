import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { ADMIN_BIN } from './admin';
import { createFreshDatabase } from './database';
import { buildIfStale, newDataDir, REPO_ROOT, startServer } from './server';

declare module 'vitest' {
  export interface ProvidedContext {
    server: { url: string; env: Record<string, string> };
    /** A fresh PostgreSQL database for this run, or undefined on PGlite. */
    databaseUrl: string | undefined;
    /** REDIS_URL of the run, for the tests of rate limits counted in Redis; else undefined. */
    redisUrl: string | undefined;
    /** An embedded database made by a first CLI run, to copy (`migratedDataDir()`); never opened. */
    migratedDataDir: string;
  }
}

export default async function setup(project: TestProject) {
  // The server runs from its bundle and serves the built scanner: build each if its sources
  // changed, once, before any test starts a server or the CLI.
  buildIfStale();
  // With DATABASE_URL set, the run gets its own fresh database on that server, dropped at the end.
  const database = process.env.DATABASE_URL
    ? await createFreshDatabase(process.env.DATABASE_URL, 'passgate_test')
    : undefined;
  // Meanwhile the CLI makes the embedded database that tests copy (on either run: the lifecycle
  // and admin CLI tests run on PGlite always). The run's server starts on an empty DATA_DIR: the
  // first start a new operator makes.
  const migrated = newDataDir();
  const migrating = promisify(execFile)(process.execPath, [ADMIN_BIN, 'tenant', 'list'], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URL: '', DATA_DIR: migrated },
  });
  const [started, made] = await Promise.allSettled([
    startServer({ databaseUrl: database?.url }),
    migrating,
  ]);
  if (started.status === 'rejected' || made.status === 'rejected') {
    if (started.status === 'fulfilled') await started.value.stop();
    await database?.drop();
    throw started.status === 'rejected' ? started.reason : (made as PromiseRejectedResult).reason;
  }
  const server = started.value;
  project.provide('server', { url: server.url, env: server.env });
  project.provide('databaseUrl', database?.url);
  project.provide('redisUrl', process.env.REDIS_URL || undefined);
  project.provide('migratedDataDir', migrated);
  return async () => {
    await server.stop();
    await database?.drop();
  };
}
