import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT } from './server';

const run = promisify(execFile);

export class AdminCommandError extends Error {
  constructor(
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(`pnpm admin failed (${exitCode}): ${stderr}`);
  }
}

/** Runs `pnpm admin …` exactly as an operator would, against the database `env` names. */
export async function admin<T = unknown>(
  env: Record<string, string>,
  ...argv: string[]
): Promise<T> {
  try {
    const { stdout } = await run('pnpm', ['admin', ...argv], {
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
