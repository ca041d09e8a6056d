import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../logger';

/** One structured log line per request, at debug level (scans are many). */
export function requestLog(options: { logger: Logger }): MiddlewareHandler {
  const { logger } = options;
  return async function requestLogMiddleware(c, next) {
    const started = performance.now();
    await next();
    if (!logger.isLevelEnabled('debug')) return;
    logger.debug(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    );
  };
}
