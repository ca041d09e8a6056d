import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import getAbsoluteFSPath from 'swagger-ui-dist/absolute-path.js';
import { pageSecurity } from './security-headers';

/** Swagger UI's files, served from our own origin so /docs works with no internet. */
const ASSETS = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
} as const;

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Passgate API reference</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="docs"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script>
</body>
</html>`;

/** Swagger UI's own files and the OpenAPI document, all from this origin; React sets inline styles. */
const DOCS_POLICY = [
  "default-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "object-src 'none'",
].join('; ');

const INIT_SCRIPT = `window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#docs', deepLinking: true, showExtensions: true });`;

export function docsRoutes() {
  const root = getAbsoluteFSPath();
  const files = new Map<string, Buffer>();
  const load = (name: keyof typeof ASSETS) => {
    let file = files.get(name);
    if (!file) {
      file = readFileSync(path.join(root, name));
      files.set(name, file);
    }
    return file;
  };
  return (
    new Hono()
      // Hono's `/docs/*` matches `/docs` itself too.
      .use('/docs/*', pageSecurity({ contentSecurityPolicy: DOCS_POLICY }))
      .get('/docs', (c) => c.html(DOCS_PAGE))
      // `/docs/`, as people type it and links end it, is the same page.
      .get('/docs/', (c) => c.redirect('/docs', 301))
      .get('/docs/assets/init.js', (c) =>
        c.body(INIT_SCRIPT, 200, { 'content-type': ASSETS['swagger-ui-bundle.js'] }),
      )
      .get('/docs/assets/:name', (c) => {
        const name = c.req.param('name');
        if (!Object.hasOwn(ASSETS, name)) return c.json({ error: `No such file: ${name}` }, 404);
        const asset = name as keyof typeof ASSETS;
        return c.body(new Uint8Array(load(asset)), 200, {
          'content-type': ASSETS[asset],
          'cache-control': 'public, max-age=86400',
        });
      })
  );
}
