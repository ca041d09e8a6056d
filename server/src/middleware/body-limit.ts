import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../errors';

/**
 * Refuses bodies over `maxSize` with 413. Hono's `bodyLimit` reads `c.req.raw.body` first on every
 * request, which makes @hono/node-server build a full Web Request (a stream, an AbortController)
 * even for a GET; that showed in the scan's profile. So a request is judged from its headers when
 * they settle it (RFC 9112 §6.3: a Content-Length gives the size; neither it nor a
 * Transfer-Encoding means no body), and only a chunked body is counted by Hono's middleware.
 */
export function limitBody(options: {
  maxSize: number;
  /** Paths (whole) that may send more: a CSV import, say. */
  larger?: Record<string, number>;
}): MiddlewareHandler {
  const limits = new Map(
    [options.maxSize, ...Object.values(options.larger ?? {})].map((maxSize) => {
      const tooLarge = () => new ApiError(413, `Request body is larger than ${describe(maxSize)}`);
      const counting = bodyLimit({
        maxSize,
        onError: () => {
          throw tooLarge();
        },
      });
      return [maxSize, { tooLarge, counting }] as const;
    }),
  );
  return async function limitBodyMiddleware(c, next) {
    const maxSize = options.larger?.[c.req.path] ?? options.maxSize;
    const limit = limits.get(maxSize);
    if (!limit) throw new Error(`no body limit of ${maxSize}`);
    if (c.req.header('transfer-encoding') !== undefined) return limit.counting(c, next);
    const length = c.req.header('content-length');
    if (length !== undefined && Number(length) > maxSize) throw limit.tooLarge();
    await next();
  };
}

const describe = (bytes: number) =>
  bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MB` : `${bytes} bytes`;
