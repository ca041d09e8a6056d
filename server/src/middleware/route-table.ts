import type { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { type DeclaredAccess, declaredAccess } from '../access';
import { ApiError, noSuchEndpoint } from '../errors';
import type { ApiEnv } from './env';

interface KnownRoute {
  pattern: RegExp;
  declared: DeclaredAccess;
}

/** The API's routes as registered, each with what it declares; see `declaredAccess`. */
export type RouteTable = readonly KnownRoute[];

const parametersOf = (route: KnownRoute) => route.declared.path.split('{').length - 1;

/**
 * The route table of `api`, read from the registry its routes' schemas are in. Throws, naming
 * the route, if one declares no access: call it once every route is mounted. Routes with fewer
 * path parameters come first: `/passes/export` is also a `/passes/{passId}`, and is the former.
 */
export function routeTableOf(
  // biome-ignore lint/suspicious/noExplicitAny: any OpenAPIHono, whatever its env
  api: OpenAPIHono<any>,
  basePath: string,
): RouteTable {
  return api.openAPIRegistry.definitions
    .flatMap((definition) => {
      if (definition.type !== 'route') return [];
      const declared = declaredAccess(definition.route as unknown as Record<string, unknown>);
      const path = declared.path.replace(/\{[^}]+\}/g, '[^/]+');
      return [{ pattern: new RegExp(`^${basePath}${path}$`), declared }];
    })
    .sort((a, b) => parametersOf(a) - parametersOf(b));
}

/**
 * Finds the route a request is for, and sets it as `route` for the middleware after it: who may
 * call it, its rate group, its body limit. Answers 404 for paths the API does not have and 405
 * (with `Allow`) for a known path with the wrong method, before authentication, so a typo is
 * reported as a typo and not as a bad key.
 */
export function knownRoutesOnly(options: { routes: () => RouteTable }): MiddlewareHandler<ApiEnv> {
  return async function knownRoutesOnlyMiddleware(c, next) {
    const { path } = c.req;
    const table = options.routes();
    const matching = table.filter((route) => route.pattern.test(path));
    if (matching.length === 0) {
      // A base URL joined with one slash too many is the likeliest typo of all: name the fix.
      const trimmed = path.replace(/\/+$/, '');
      const hint =
        trimmed !== path && table.some((route) => route.pattern.test(trimmed))
          ? ` (without the trailing slash: ${trimmed})`
          : '';
      throw new ApiError(404, `${noSuchEndpoint(c.req.method, path)}${hint}`);
    }
    // HEAD is GET without the body (Hono runs the GET handler and drops it), as HTTP requires.
    const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
    const route = matching.find(({ declared }) => declared.method === method);
    if (!route) {
      const allowed = matching.flatMap(({ declared }) =>
        declared.method === 'GET' ? ['GET', 'HEAD'] : [declared.method],
      );
      const allow = [...new Set([...allowed, 'OPTIONS'])].join(', ');
      throw new ApiError(
        405,
        `Method ${c.req.method} is not allowed on ${path}; allowed: ${allow}`,
        { Allow: allow },
      );
    }
    c.set('route', route.declared);
    await next();
  };
}
