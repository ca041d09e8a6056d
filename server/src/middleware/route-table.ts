import type { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { ApiError, noSuchEndpoint } from '../errors';

interface KnownRoute {
  method: string;
  pattern: RegExp;
}

/**
 * Answers 404 for paths the API does not have and 405 (with `Allow`) for a known path with the
 * wrong method, before authentication, so a typo is reported as a typo and not as a bad key.
 */
export function knownRoutesOnly(options: {
  // biome-ignore lint/suspicious/noExplicitAny: any OpenAPIHono, whatever its env
  api: OpenAPIHono<any>;
  basePath: string;
}): MiddlewareHandler {
  let routes: KnownRoute[] | undefined;
  const table = () => {
    routes ??= options.api.openAPIRegistry.definitions.flatMap((definition) =>
      definition.type === 'route'
        ? [
            {
              method: definition.route.method.toUpperCase(),
              pattern: new RegExp(
                `^${options.basePath}${definition.route.path.replace(/\{[^}]+\}/g, '[^/]+')}$`,
              ),
            },
          ]
        : [],
    );
    return routes;
  };
  return async function knownRoutesOnlyMiddleware(c, next) {
    const { path } = c.req;
    const matching = table().filter((route) => route.pattern.test(path));
    if (matching.length === 0) {
      // A base URL joined with one slash too many is the likeliest typo of all: name the fix.
      const trimmed = path.replace(/\/+$/, '');
      const hint =
        trimmed !== path && table().some((route) => route.pattern.test(trimmed))
          ? ` (without the trailing slash: ${trimmed})`
          : '';
      throw new ApiError(404, `${noSuchEndpoint(c.req.method, path)}${hint}`);
    }
    // HEAD is GET without the body (Hono runs the GET handler and drops it), as HTTP requires.
    const allowed = matching.flatMap((route) =>
      route.method === 'GET' ? ['GET', 'HEAD'] : [route.method],
    );
    if (!allowed.includes(c.req.method)) {
      const allow = [...new Set([...allowed, 'OPTIONS'])].join(', ');
      throw new ApiError(
        405,
        `Method ${c.req.method} is not allowed on ${path}; allowed: ${allow}`,
        {
          Allow: allow,
        },
      );
    }
    await next();
  };
}
