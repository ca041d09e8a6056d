import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../errors';
import type { ApiEnv } from './env';

/**
 * Refuses bodies over the route's `maxBodyBytes` with 413. Hono's `bodyLimit` reads `c.req.raw.body` first on every
 * request, which makes @hono/node-server build a full Web Request (a stream, an AbortController)
 * even for a GET; that showed in the scan's profile. So a request is judged from its headers when
 * they settle it (RFC 9112 §6.3: a Content-Length gives the size; neither it nor a
 * Transfer-Encoding means no body), and only a chunked body is counted by Hono's middleware.
 */
export function limitBody(): MiddlewareHandler<ApiEnv> {
  const limits = new Map<number, ReturnType<typeof limitOf>>();
  return async function limitBodyMiddleware(c, next) {
    const { maxBodyBytes } = c.get('route');
    let limit = limits.get(maxBodyBytes);
    if (!limit) {
      limit = limitOf(maxBodyBytes);
      limits.set(maxBodyBytes, limit);
    }
    if (c.req.header('transfer-encoding') !== undefined) return limit.counting(c, next);
    const length = c.req.header('content-length');
    if (length !== undefined && Number(length) > maxBodyBytes) throw limit.tooLarge();
    await next();
  };
}

function limitOf(maxSize: number) {
  const tooLarge = () => new ApiError(413, `Request body is larger than ${describe(maxSize)}`);
  const counting = bodyLimit({
    maxSize,
    onError: () => {
      throw tooLarge();
    },
  });
  return { tooLarge, counting };
}

const describe = (bytes: number) =>
  bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MB` : `${bytes} bytes`;
