import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../errors';
import { type ApiEnv, isOpenRoute } from './env';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const crossSite = () =>
  new ApiError(403, 'Cross-site request refused: a signed-in write must come from the dashboard');

/**
 * The request's `Origin`, and whether it is this server's: PUBLIC_URL's origin, or the Host the
 * request was sent to under PUBLIC_URL's scheme. Behind a TLS proxy the server itself is reached
 * over http, so a page at `http://` the same host is not ours when PUBLIC_URL is `https://`.
 */
function originOf(c: Context, publicOrigin: string) {
  const origin = c.req.header('origin');
  const { protocol } = new URL(publicOrigin);
  const { host } = new URL(c.req.url);
  return { origin, ours: origin === publicOrigin || origin === `${protocol}//${host}` };
}

/**
 * Cross-site request forgery: a write made with a session cookie must come from a page of this
 * server, as its `Origin` (or, without one, `Sec-Fetch-Site: same-origin`) says; else 403.
 * Browsers send both on every write. Browsers never send an API key on their own, so requests
 * with a key are not checked. On the routes open to anyone (signing in and taking an invitation
 * set the cookie) a page of another site may not sign a browser in to an account of its
 * choosing; scripts and tools that send no `Origin` may.
 */
export function sameOriginWrites(options: { publicUrl: string }): MiddlewareHandler<ApiEnv> {
  const publicOrigin = new URL(options.publicUrl).origin;
  return async function sameOriginWritesMiddleware(c, next) {
    if (isOpenRoute(c)) {
      const { origin, ours } = originOf(c, publicOrigin);
      if (origin && !ours) throw crossSite();
    } else if (c.get('caller').user && !SAFE_METHODS.has(c.req.method)) {
      const { origin, ours } = originOf(c, publicOrigin);
      const sameOrigin = origin ? ours : c.req.header('sec-fetch-site') === 'same-origin';
      if (!sameOrigin) throw crossSite();
    }
    await next();
  };
}
