import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from './logger';

/** The one error type of the API: its message is safe to show the client. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, `${what} not found`);
export const noSuchEndpoint = (method: string, path: string) =>
  `No such endpoint: ${method} ${path}`;

/** Maps every thrown error to `{ "error": "…" }`; unknown errors are logged and hidden. */
export function errorHandler(logger: Logger) {
  return function onError(error: Error, c: Context) {
    if (error instanceof ApiError) {
      return c.json({ error: error.message }, error.status, error.headers);
    }
    if (error instanceof HTTPException) {
      const status = error.status as ContentfulStatusCode;
      const message =
        status === 400 && /JSON/i.test(error.message)
          ? 'Request body is not valid JSON'
          : status === 415
            ? 'Send the request body as JSON with "Content-Type: application/json"'
            : error.message || 'Bad request';
      return c.json({ error: message }, status);
    }
    logger.error({ err: error, method: c.req.method, path: c.req.path }, 'unhandled error');
    return c.json({ error: 'Internal server error' }, 500);
  };
}
