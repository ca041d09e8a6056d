import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './server';

const run = promisify(execFile);

export class AdminCommandError extends Error {
  constructor(
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(`the admin CLI failed (${exitCode}): ${stderr}`);
  }
}

/**
 * The program `pnpm admin` runs (the server package's `admin` bin), started with `node` directly:
 * the same command an operator runs, without pnpm's own start (most of a second each, and the
 * tests make a hundred calls a run). The lifecycle tests run `pnpm admin` itself.
 */
export const ADMIN_BIN = path.join(REPO_ROOT, 'server/bin/admin.mjs');

/** Runs the admin CLI as an operator would, against the database `env` names. */
export async function admin<T = unknown>(
  env: Record<string, string>,
  ...argv: string[]
): Promise<T> {
  try {
    const { stdout } = await run(process.execPath, [ADMIN_BIN, ...argv], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: '', ...env },
    });
    return JSON.parse(stdout) as T;
  } catch (error) {
    const failure = error as { code?: number; stderr?: string };
    if (typeof failure.code === 'number')
      throw new AdminCommandError(failure.code, failure.stderr ?? '');
    throw error;
  }
}
