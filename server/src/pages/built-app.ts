import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { pageSecurity } from './security-headers';

/**
 * Serves a Vite app's build (`dist`) under `base` (Hono's `serveStatic`), compressed for browsers
 * that accept it: hashed assets cached for good, the rest revalidated. A path that is not a file of the build (an escape, `..`) is a JSON
 * 404; without a build, the page says how to make one.
 */
export function builtAppRoutes(options: {
  base: `/${string}`;
  dist: string;
  name: string;
  contentSecurityPolicy: string;
  /** Headers for one file of the build, by its path inside `dist`. */
  headersFor?: (relative: string) => Record<string, string>;
}) {
  const { base, dist, name, headersFor } = options;
  return new Hono()
    .get(base, (c) => c.redirect(`${base}/`))
    .use(`${base}/*`, pageSecurity({ contentSecurityPolicy: options.contentSecurityPolicy }))
    .use(`${base}/*`, compress())
    .use(
      `${base}/*`,
      serveStatic({
        root: dist,
        rewriteRequestPath: (requested) => requested.slice(base.length),
        onFound(found, c) {
          const relative = path.relative(dist, found);
          c.header(
            'Cache-Control',
            relative.startsWith(`assets${path.sep}`)
              ? 'public, max-age=31536000, immutable'
              : 'no-cache',
          );
          for (const [header, value] of Object.entries(headersFor?.(relative) ?? {})) {
            c.header(header, value);
          }
        },
      }),
    )
    .get(`${base}/*`, (c) => {
      if (c.req.path === `${base}/` || c.req.path === `${base}/index.html`) {
        return c.text(
          `The ${name} is not built: run \`pnpm --filter @passgate/${name} build\` (pnpm start does).`,
          503,
        );
      }
      return c.json({ error: `No such file: ${c.req.path}` }, 404);
    });
}
