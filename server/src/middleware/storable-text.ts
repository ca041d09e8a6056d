import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors';

/** A UTF-16 code unit of a surrogate pair standing alone: no character, and no text can hold it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The first string (key or value) in a parsed body that `bad` holds for. */
function someString(value: unknown, bad: (text: string) => boolean): boolean {
  if (typeof value === 'string') return bad(value);
  if (Array.isArray(value)) return value.some((item) => someString(item, bad));
  if (value && typeof value === 'object') {
    return Object.entries(value).some(([key, item]) => bad(key) || someString(item, bad));
  }
  return false;
}

/** The charset a Content-Type names, lower-cased, if any. */
const charsetOf = (contentType: string) =>
  /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1]?.toLowerCase();

/**
 * Text the database can store exactly, or a 400 that says why:
 * - the path and query: validly %-escaped, and without U+0000 (PostgreSQL text cannot hold it);
 * - a JSON body: sent as UTF-8 (JSON's only encoding, RFC 8259; another `charset` is refused
 *   rather than read wrongly), valid UTF-8 byte for byte (not stored as U+FFFD), and no string
 *   holding U+0000 or a lone surrogate (`"\ud800"`), which no character is.
 */
export function requireStorableText(): MiddlewareHandler {
  return async function requireStorableTextMiddleware(c, next) {
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
    const contentType = c.req.header('content-type') ?? '';
    if (/json/i.test(contentType)) {
      const charset = charsetOf(contentType);
      if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
        throw new ApiError(400, `Send the body as UTF-8 (charset=utf-8), not ${charset}`);
      }
      let text: string;
      try {
        text = strictUtf8.decode(await c.req.raw.arrayBuffer());
      } catch {
        throw new ApiError(400, 'Request body is not valid UTF-8');
      }
      // The text every later reader gets (the validator's `json()`, the Idempotency-Key's
      // fingerprint): decoded once, here. Hono keeps each form of the body as a promise in this
      // cache, whatever its declared type says.
      (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(text);
      // Raw bytes of valid UTF-8 hold neither; only a JSON escape (`\u0000`, `\ud800`) can.
      if (text.includes('\u0000')) {
        throw new ApiError(400, 'Strings in the body must not contain NUL (\\u0000) characters');
      }
      if (text.includes('\\u')) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined; // the validator reports malformed JSON
        }
        if (someString(parsed, (s) => s.includes('\u0000'))) {
          throw new ApiError(400, 'Strings in the body must not contain NUL (\\u0000) characters');
        }
        if (someString(parsed, (s) => LONE_SURROGATE.test(s))) {
          throw new ApiError(
            400,
            'Strings in the body must not contain lone surrogates (such as \\ud800): they are no characters',
          );
        }
      }
    }
    await next();
  };
}
