import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Hono } from 'hono';
import { ApiError } from '../errors';
import { SERVER_ROOT } from '../server-root';

/** The built scanner app (`scanner/dist`, made by `pnpm start` or `pnpm --filter @passgate/scanner build`). */
export const SCANNER_DIST = path.resolve(SERVER_ROOT, '../scanner/dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
};

/** A path's text; an escape no decoder accepts (`%ZZ`, or cut off) is a client's mistake. */
function decodedPath(escaped: string): string {
  try {
    return decodeURIComponent(escaped);
  } catch {
    throw new ApiError(400, 'The URL is not validly percent-encoded');
  }
}

/** Serves the scanner PWA under /scanner/: hashed assets cached for good, the rest revalidated. */
export function scannerRoutes(options: { dist?: string } = {}) {
  const root = options.dist ?? SCANNER_DIST;
  return new Hono()
    .get('/scanner', (c) => c.redirect('/scanner/'))
    .get('/scanner/*', async (c) => {
      const relative = decodedPath(c.req.path.slice('/scanner/'.length)) || 'index.html';
      const file = path.resolve(root, relative);
      if (!file.startsWith(`${root}${path.sep}`)) return c.json({ error: 'No such file' }, 404);
      let body: Buffer;
      try {
        body = await readFile(file);
      } catch {
        if (relative === 'index.html') {
          return c.text(
            'The scanner is not built: run `pnpm --filter @passgate/scanner build` (pnpm start does).',
            503,
          );
        }
        return c.json({ error: `No such file: /scanner/${relative}` }, 404);
      }
      const immutable = relative.startsWith('assets/');
      return c.body(new Uint8Array(body), 200, {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        ...(relative === 'sw.js' ? { 'service-worker-allowed': '/scanner/' } : {}),
      });
    });
}
