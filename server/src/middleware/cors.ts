import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/**
 * Hono's CORS middleware, for the requests CORS is about: those with an `Origin` header (a
 * browser sends one on every cross-origin request and preflight). Hono's sets its headers through
 * `c.res` before the handler runs, which makes a placeholder response that is then merged with
 * the real one, rebuilding both as full Web Responses: a large cost of the HTTP layer on a hot
 * path. Callers that send no `Origin` (servers, Zapier, the door
 * scanner's own origin on GET) read nothing from CORS headers, so they are spared it.
 */
export function corsForBrowsers(options: Parameters<typeof cors>[0]): MiddlewareHandler {
  const corsHeaders = cors(options);
  return async function corsForBrowsersMiddleware(c, next) {
    if (c.req.header('origin') === undefined) return next();
    return corsHeaders(c, next);
  };
}
