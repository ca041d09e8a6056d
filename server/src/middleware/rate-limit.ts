import type { MiddlewareHandler } from 'hono';
import { callerId } from '../domain/callers';
import { ApiError } from '../errors';
import { limitFor, type RateLimits, USER_LIMITS, WINDOW_SECONDS } from '../services/rate-limits';
import { type ApiEnv, isOpenRoute } from './env';

/**
 * Counts the request against the key's (or the signed-in user's) budget in its route's group,
 * and sets GitHub-style and IETF headers; 429 with Retry-After past the budget. Routes open to
 * anyone have no caller to count: they throttle what they do themselves.
 */
export function rateLimit(options: { rateLimits: RateLimits }): MiddlewareHandler<ApiEnv> {
  const { rateLimits } = options;
  return async function rateLimitMiddleware(c, next) {
    if (isOpenRoute(c)) return next();
    const caller = c.get('caller');
    const group = c.get('route').rateGroup;
    const limit = caller.key ? limitFor(group, caller.key.rate_limit) : USER_LIMITS[group];
    const decision = await rateLimits.consume(group, callerId(caller), limit);
    const resetSeconds = Math.max(1, Math.ceil(decision.msBeforeReset / 1000));
    const headers = {
      'X-RateLimit-Limit': String(decision.limit),
      'X-RateLimit-Remaining': String(decision.remaining),
      'X-RateLimit-Reset': String(Math.ceil((Date.now() + decision.msBeforeReset) / 1000)),
      'RateLimit-Policy': `"${group}";q=${decision.limit};w=${WINDOW_SECONDS}`,
      RateLimit: `"${group}";r=${decision.remaining};t=${resetSeconds}`,
    };
    if (!decision.allowed) {
      throw new ApiError(
        429,
        `Rate limit of ${decision.limit} requests per minute exceeded; retry in ${resetSeconds} s`,
        { ...headers, 'Retry-After': String(resetSeconds) },
      );
    }
    // Set before the handler runs, so that they go into whatever answer it makes (errors too)
    // without rebuilding a finished response.
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    await next();
  };
}
