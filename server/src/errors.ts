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

/** Network errors of a connection that failed, or dropped, on its way to the database. */
const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * True when the database could not be reached or dropped the connection (it restarts, fails
 * over, or the network between is down), which a retry a few seconds later may mend: network
 * errors, `pg`'s dropped connection and connect timeout, PostgreSQL's connection errors
 * (SQLSTATE class 08), shutdowns (57P01–57P03), full connection slots (53300), and a statement
 * it gave up at `statement_timeout` (57014: busy, or waiting on a lock too long).
 */
export function isDatabaseOutOfReach(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_ERRORS.has(code) || code.startsWith('08')) return true;
    if (code === '53300' || code === '57014') return true;
    if (/^57P0[123]$/.test(code)) return true;
  }
  return /^(Connection terminated|timeout exceeded when trying to connect|Client was closed)/.test(
    error.message,
  );
}

/**
 * True when a write failed for want of disk space: the operating system's ENOSPC, or
 * PostgreSQL's disk_full (SQLSTATE 53100), which the embedded database reports as either.
 */
export function isDiskFull(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOSPC' || code === '53100') return true;
  return /No space left on device/i.test(error.message);
}

export const DISK_FULL =
  "The server's disk is full: nothing was written. Try again once the operator has freed space";
/** Seconds a client is asked to wait while the disk is full. */
export const DISK_FULL_RETRY_AFTER_SECONDS = '30';

const UNIQUE_VIOLATION = '23505';
const RACED =
  'Another change made at the same moment took that value (a name, a key): look again and retry';

export const DATABASE_OUT_OF_REACH =
  'The database is out of reach for the moment; try again in a few seconds';
/**
 * Seconds a client is asked to wait before trying again (`Retry-After`) while the database is
 * out of reach or the server is starting.
 */
export const RETRY_AFTER_SECONDS = '5';

/**
 * Maps every thrown error to `{ "error": "…" }`; unknown errors are logged and hidden. A full
 * disk is told to `onDiskFull` (which logs it once) rather than logged with every request.
 */
export function errorHandler(logger: Logger, options: { onDiskFull?: () => void } = {}) {
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
    if (isDiskFull(error)) {
      options.onDiskFull?.();
      return c.json({ error: DISK_FULL }, 507, { 'Retry-After': DISK_FULL_RETRY_AFTER_SECONDS });
    }
    if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) {
      // A unique index turned away a write that raced another to the same value (two renames of
      // clients to one name): what the checks before it say, as they could not.
      return c.json({ error: RACED }, 409);
    }
    if (isDatabaseOutOfReach(error)) {
      logger.warn({ err: error, method: c.req.method, path: c.req.path }, 'database out of reach');
      return c.json({ error: DATABASE_OUT_OF_REACH }, 503, { 'Retry-After': RETRY_AFTER_SECONDS });
    }
    logger.error({ err: error, method: c.req.method, path: c.req.path }, 'unhandled error');
    return c.json({ error: 'Internal server error' }, 500);
  };
}
