import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { SERVER_ROOT } from '../server-root';
import { pageSecurity } from './security-headers';

/** The built scanner app (`scanner/dist`, made by `pnpm start` or `pnpm --filter @passgate/scanner build`). */
export const SCANNER_DIST = path.resolve(SERVER_ROOT, '../scanner/dist');

/**
 * The scanner's own files only: its scripts, worker, styles, icons and manifest; the API on the
 * same origin; the camera's stream.
 */
const SCANNER_POLICY = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "worker-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
].join('; ');

/**
 * Serves the scanner PWA under /scanner/ (Hono's `serveStatic`): hashed assets cached for good,
 * the rest revalidated. A path that is not a file of the build (an escape, `..`) is a JSON 404.
 */
export function scannerRoutes(options: { dist?: string } = {}) {
  const root = options.dist ?? SCANNER_DIST;
  return new Hono()
    .get('/scanner', (c) => c.redirect('/scanner/'))
    .use('/scanner/*', pageSecurity({ contentSecurityPolicy: SCANNER_POLICY }))
    .use(
      '/scanner/*',
      serveStatic({
        root,
        rewriteRequestPath: (requested) => requested.slice('/scanner'.length),
        onFound(found, c) {
          const relative = path.relative(root, found);
          c.header(
            'Cache-Control',
            relative.startsWith(`assets${path.sep}`)
              ? 'public, max-age=31536000, immutable'
              : 'no-cache',
          );
          if (relative === 'sw.js') c.header('Service-Worker-Allowed', '/scanner/');
        },
      }),
    )
    .get('/scanner/*', (c) => {
      if (c.req.path === '/scanner/' || c.req.path === '/scanner/index.html') {
        return c.text(
          'The scanner is not built: run `pnpm --filter @passgate/scanner build` (pnpm start does).',
          503,
        );
      }
      return c.json({ error: `No such file: ${c.req.path}` }, 404);
    });
}
