import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import type { ApiTag } from './openapi';
import type { RateLimitGroup } from './services/rate-limits';

/**
 * The kinds of caller an operation may allow, as its `x-access` lists them in the OpenAPI
 * document. A door device holds a scan-scope key.
 */
export const CALLER_KINDS = {
  anyone: 'anyone, with no credential (the body carries what proves the caller)',
  'scan-key': 'scan-scope API keys (door devices)',
  'full-key': 'full-scope API keys',
  staff: 'staff users, signed in',
  admin: 'admin users, signed in',
} as const;
export type CallerKind = keyof typeof CALLER_KINDS;

/** The usual sets of callers, so that a route's declaration reads as what it means. */
export const ACCESS = {
  /** Pairing a phone, signing in, taking an invitation: before any credential exists. */
  anyone: ['anyone'],
  /** What a door does: scan, undo a scan, sync its copy of the passes, ask who it is. */
  door: ['scan-key', 'full-key', 'staff', 'admin'],
  /** What a door does that keys alone may do: what it records is kept by the key. */
  keys: ['scan-key', 'full-key'],
  /** Running the tenant: passes, clients, scans, devices. */
  team: ['full-key', 'staff', 'admin'],
  /** Keys, webhooks, Zapier's triggers and users. */
  admins: ['full-key', 'admin'],
} as const satisfies Record<string, readonly CallerKind[]>;

/** What every API route declares beside its schemas: who may call it, and its limits. */
export interface RouteAccess {
  access: readonly CallerKind[];
  /** The rate-limit budget its calls count against; `core` unless said. */
  rateGroup?: RateLimitGroup;
  /** The largest body it takes, in bytes; 1 MB unless said. */
  maxBodyBytes?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * An API route: `createRoute` with its access declared, and an `operationId` that SDK
 * generators name their methods by. Both go into the OpenAPI document (`x-access`,
 * `x-rate-limit-group`, `x-max-body-bytes`), where the middleware reads them back.
 */
export function defineRoute<
  P extends string,
  R extends Omit<RouteConfig, 'path'> & { path: P; operationId: string; tags: [ApiTag] },
>(config: R & RouteAccess) {
  const { access, rateGroup, maxBodyBytes, ...route } = config;
  const open = access.includes('anyone');
  return createRoute({
    ...route,
    ...(open ? { security: [] } : {}),
    'x-access': access,
    ...(open ? {} : { 'x-rate-limit-group': rateGroup ?? 'core' }),
    'x-max-body-bytes': maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  }) as unknown as ReturnType<typeof createRoute<P, Omit<R, keyof RouteAccess>>>;
}

/** What an operation of the route table declares, read back from its definition. */
export interface DeclaredAccess {
  operationId: string;
  method: string;
  /** As the document writes it: `/passes/{passId}`. */
  path: string;
  /** "List API keys" */
  summary: string;
  access: readonly CallerKind[];
  /** Open to anyone: no credential is asked for, so the request has no caller. */
  open: boolean;
  rateGroup: RateLimitGroup;
  maxBodyBytes: number;
}

const isCallerKind = (value: unknown): value is CallerKind =>
  typeof value === 'string' && Object.hasOwn(CALLER_KINDS, value);

/**
 * The declaration of a route as registered; throws, naming the route, when it declares no
 * access (it was made with `createRoute`, not `defineRoute`), so such an API never starts.
 */
export function declaredAccess(route: Record<string, unknown>): DeclaredAccess {
  const method = String(route.method).toUpperCase();
  const name = `${method} ${route.path}`;
  const access = route['x-access'];
  if (!Array.isArray(access) || access.length === 0 || !access.every(isCallerKind)) {
    throw new Error(`${name} declares no access: define it with defineRoute({ access, … })`);
  }
  if (typeof route.operationId !== 'string') throw new Error(`${name} has no operationId`);
  return {
    operationId: route.operationId,
    method,
    path: String(route.path),
    summary: String(route.summary ?? name),
    access,
    open: access.includes('anyone'),
    rateGroup: (route['x-rate-limit-group'] as RateLimitGroup | undefined) ?? 'core',
    maxBodyBytes: Number(route['x-max-body-bytes'] ?? DEFAULT_MAX_BODY_BYTES),
  };
}

/** "full-scope API keys, staff users, signed in": for `/docs` and error messages. */
export const describeAccess = (access: readonly CallerKind[]) =>
  access.map((kind) => CALLER_KINDS[kind]).join('; ');
