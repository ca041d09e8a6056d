import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors';

function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (value && typeof value === 'object') {
    return Object.entries(value).some(([key, item]) => key.includes('\u0000') || containsNul(item));
  }
  return false;
}

/**
 * PostgreSQL text cannot hold U+0000. Refuse it up front, in the path, the query or any string
 * of a JSON body, rather than let the database fail the request.
 */
export function rejectNulCharacters(): MiddlewareHandler {
  return async function rejectNulCharactersMiddleware(c, next) {
    const raw = new URL(c.req.url);
    let decoded: string;
    try {
      decoded =
        decodeURIComponent(raw.pathname) + decodeURIComponent(raw.search.replace(/\+/g, ' '));
    } catch {
      throw new ApiError(400, 'The URL is not validly percent-encoded');
    }
    if (decoded.includes('\u0000'))
      throw new ApiError(400, 'The URL must not contain NUL characters');
    if (/json/i.test(c.req.header('content-type') ?? '')) {
      const text = await c.req.text();
      if (text.includes('\\u0000') || text.includes('\u0000')) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined; // the validator reports malformed JSON
        }
        if (text.includes('\u0000') || containsNul(parsed)) {
          throw new ApiError(400, 'Strings in the body must not contain NUL (\\u0000) characters');
        }
      }
    }
    await next();
  };
}
