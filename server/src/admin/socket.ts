import { chmodSync, rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { type AdminContext, AdminError, runAdminCommand } from './commands';

/**
 * PGlite is one process's database. While the server holds it, `pnpm admin` sends its command
 * over this Unix socket in DATA_DIR (mode 0600: only the operator's user can connect).
 */
export const adminSocketPath = (dataDir: string) => path.join(dataDir, 'admin.sock');

export async function serveAdminSocket(
  context: AdminContext,
  socketPath: string,
): Promise<http.Server> {
  rmSync(socketPath, { force: true });
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let status = 200;
    let body: unknown;
    try {
      const { argv } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { argv: string[] };
      body = await runAdminCommand(context, argv);
    } catch (error) {
      status = error instanceof AdminError ? 400 : 500;
      body = {
        error:
          error instanceof AdminError ? error.message : 'Admin command failed; see the server log',
      };
    }
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  chmodSync(socketPath, 0o600);
  return server;
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
    req.on('error', (error: NodeJS.ErrnoException) =>
      ['ENOENT', 'ECONNREFUSED'].includes(error.code ?? '') ? resolve(undefined) : reject(error),
    );
    req.end(JSON.stringify({ argv }));
  });
}
