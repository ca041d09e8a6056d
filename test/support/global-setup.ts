import { execFileSync } from 'node:child_process';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
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

/** With DATABASE_URL set, the run gets its own fresh database on that server, dropped at the end. */
async function createRunDatabase(baseUrl: string) {
  const name = `passgate_test_${Date.now()}_${process.pid}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export default async function setup(project: TestProject) {
  // The server serves the built scanner; build it if its sources changed.
  execFileSync(process.execPath, ['scanner/build-if-stale.mjs'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
  const database = process.env.DATABASE_URL
    ? await createRunDatabase(process.env.DATABASE_URL)
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
