import { chmodSync, closeSync, openSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { makeDataDir } from '../data-dir';
import { StartError } from '../start-error';
import { type AdminContext, runAdminCommand } from './commands';
import { AdminError, parseAdminCommand } from './parse';

/**
 * PGlite is one process's database. While the server holds it, `pnpm admin` sends its command
 * over this Unix socket in DATA_DIR (mode 0600: only the operator's user can connect), and the
 * socket is also what marks the directory as taken (see `claimDataDir`).
 */
export const adminSocketPath = (dataDir: string) => path.join(dataDir, 'admin.sock');
/** The longest Unix socket path every platform keeps whole (macOS: 103 bytes, Linux: 107). */
const MAX_SOCKET_PATH_BYTES = 103;

export interface DataDirClaim {
  /** Runs admin commands sent to the socket from now on against this database (none: busy). */
  serve(context: AdminContext | undefined): void;
  close(): Promise<void>;
}

/**
 * Claims DATA_DIR for this process before it opens the embedded database, by listening on the
 * admin socket: PGlite has no lock of its own, and two processes writing one data directory
 * corrupt it. A socket that answers means a live server (or CLI) holds the directory, and the
 * claim fails; a socket file that nobody answers is left from a crash, and is taken over. While
 * no database is served, commands sent to the socket are told that `holder` is busy with it.
 */
export async function claimDataDir(dataDir: string, holder: string): Promise<DataDirClaim> {
  const socketPath = adminSocketPath(dataDir);
  // A longer path would be cut short, and the claim would hold another than the CLI knocks on.
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
    throw new StartError(
      `DATA_DIR ${path.resolve(dataDir)} is too long a path: its admin socket needs at most ` +
        `${MAX_SOCKET_PATH_BYTES - 'admin.sock'.length - 1} bytes for the directory; choose a shorter DATA_DIR`,
    );
  }
  makeDataDir(dataDir);
  let context: AdminContext | undefined;
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let status = 200;
    let body: unknown;
    try {
      if (!context) {
        throw new AdminError(
          `DATA_DIR is busy: ${holder} holds it and is starting or stopping; try again`,
        );
      }
      const { argv } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { argv: string[] };
      body = await runAdminCommand(context, parseAdminCommand(argv));
    } catch (error) {
      status = error instanceof AdminError ? 400 : 500;
      body = {
        error:
          error instanceof AdminError ? error.message : 'Admin command failed; see the server log',
      };
    }
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  // Each try removes its own listeners, however it ends: a takeover may try several times.
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const failed = (error: Error) => {
        server.off('listening', listened);
        reject(error);
      };
      const listened = () => {
        server.off('error', failed);
        resolve();
      };
      server.once('error', failed).once('listening', listened).listen(socketPath);
    });
  await claimSocket(socketPath, listen, () => {
    throw new StartError(
      `DATA_DIR ${path.resolve(dataDir)} is in use by another running Passgate process (it ` +
        'answers on admin.sock there). Stop it first, or give this one another DATA_DIR; ' +
        'two processes on one embedded database would corrupt it.',
    );
  });
  chmodSync(socketPath, 0o600);
  return {
    serve(next) {
      context = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A takeover lock older than this was left by a process that died in the middle of one. */
const STALE_TAKEOVER_MS = 10_000;
const TAKEOVER_RETRY_MS = 50;

/**
 * The takeover lock, created with `O_EXCL`: its file descriptor, or undefined while another
 * process holds it. A lock older than `STALE_TAKEOVER_MS` is removed first, so that the next try
 * may take it.
 */
function takeoverLock(lockPath: string): number | undefined {
  try {
    return openSync(lockPath, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const taken = statSync(lockPath, { throwIfNoEntry: false })?.mtimeMs;
    if (taken !== undefined && Date.now() - taken > STALE_TAKEOVER_MS) {
      rmSync(lockPath, { force: true });
    }
    return undefined;
  }
}

/**
 * Listens on the socket path, or takes over a socket file that nobody answers (left by a crash).
 * The takeover (probe, remove, listen) happens under a lock file, so two processes starting at
 * once over a stale socket cannot both remove it and both listen: the one that waited finds the
 * other's socket answering, and `inUse` refuses it.
 */
async function claimSocket(
  socketPath: string,
  listen: () => Promise<void>,
  inUse: () => never,
): Promise<void> {
  const lockPath = `${socketPath}.lock`;
  for (;;) {
    try {
      return await listen();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
    const lock = takeoverLock(lockPath);
    if (lock === undefined) {
      // Another process is taking over: look again once it is done.
      await new Promise((resolve) => setTimeout(resolve, TAKEOVER_RETRY_MS));
      continue;
    }
    try {
      if (await sendToAdminSocket(socketPath, [])) inUse();
      rmSync(socketPath, { force: true }); // left by a process that crashed
      return await listen();
    } finally {
      closeSync(lock);
      rmSync(lockPath, { force: true });
    }
  }
}

/** Sends a command to a running server; undefined when no server listens there. */
export function sendToAdminSocket(
  socketPath: string,
  argv: string[],
): Promise<{ status: number; body: unknown } | undefined> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path: '/', method: 'POST' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        try {
          resolve({
            status: res.statusCode ?? 500,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          });
        } catch (error) {
          reject(error);
        }
      });
    });
    // No socket to reach (or no directory to hold one: claiming DATA_DIR then says why).
    req.on('error', (error: NodeJS.ErrnoException) =>
      ['ENOENT', 'ECONNREFUSED', 'ENOTDIR'].includes(error.code ?? '')
        ? resolve(undefined)
        : reject(error),
    );
    req.end(JSON.stringify({ argv }));
  });
}
