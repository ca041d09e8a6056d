import type { MiddlewareHandler } from 'hono';

/**
 * The headers every page Passgate serves to a browser carries: its Content-Security-Policy, with
 * `frame-ancestors 'none'` (and `X-Frame-Options: DENY` for browsers that predate it) so that no
 * other site can frame the scanner, the docs or a pass page and trick a person into clicking in
 * it; no MIME sniffing; no referrer.
 */
export function pageSecurity(options: { contentSecurityPolicy: string }): MiddlewareHandler {
  const policy = `${options.contentSecurityPolicy}; frame-ancestors 'none'; base-uri 'none'`;
  return async function pageSecurityMiddleware(c, next) {
    await next();
    c.header('Content-Security-Policy', policy);
    c.header('X-Frame-Options', 'DENY');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
  };
}
