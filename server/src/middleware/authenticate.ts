import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Kysely } from 'kysely';
import { type CallerKind, type DeclaredAccess, describeAccess } from '../access';
import type { Database } from '../db/schema';
import { CALLER_TENANT_COLUMNS, type Caller, callerKind, callerTenant } from '../domain/callers';
import { API_KEY_PATTERN, apiKeyPrefix, constantTimeEqual, sha256 } from '../domain/ids';
import { findSessionCaller, SESSION_COOKIE } from '../domain/sessions';
import { ApiError } from '../errors';
import type { CallerCache } from '../services/callers';
import { type ApiEnv, isOpenRoute } from './env';
import type { RouteTable } from './route-table';

const unauthorized = (message: string) =>
  new ApiError(401, message, { 'WWW-Authenticate': 'Bearer realm="passgate"' });

/** Finds the key's row by its visible prefix, then compares the hash in constant time. */
async function findCaller(
  db: Kysely<Database>,
  presented: string,
  hash: string,
): Promise<Caller | undefined> {
  const rows = await db
    .selectFrom('api_keys')
    .innerJoin('tenants', 'tenants.id', 'api_keys.tenant_id')
    .leftJoin('devices', 'devices.id', 'api_keys.device_id')
    .select([
      'devices.id as device_id',
      'devices.name as device_name',
      'api_keys.id as key_id',
      'api_keys.prefix',
      'api_keys.key_hash',
      'api_keys.scope',
      'api_keys.rate_limit',
      ...CALLER_TENANT_COLUMNS,
    ])
    .where('api_keys.prefix', '=', apiKeyPrefix(presented))
    .where('api_keys.revoked_at', 'is', null)
    .execute();
  const row = rows.find((candidate) => constantTimeEqual(candidate.key_hash, hash));
  if (!row) return undefined;
  return {
    tenant: callerTenant(row),
    user: null,
    key: {
      id: row.key_id,
      prefix: row.prefix,
      scope: row.scope,
      rate_limit: row.rate_limit,
      device:
        row.device_id && row.device_name ? { id: row.device_id, name: row.device_name } : null,
    },
  };
}

/**
 * The request's caller by its API key or, without an Authorization header, its session cookie,
 * through the cache; else why there is none, in words for a 401.
 */
async function callerOf(
  c: Context<ApiEnv>,
  db: Kysely<Database>,
  callers: CallerCache,
  options: { touch?: boolean } = {},
): Promise<Caller | string> {
  const header = c.req.header('authorization');
  const session = header ? undefined : getCookie(c, SESSION_COOKIE);
  if (session !== undefined) {
    // Keyed apart from keys, though a session token and a key never share a hash; and a look
    // that is not a use (`touch: false`) apart from a use, so that a stream's looks never stand
    // in for the requests that note the session's use.
    const look = options.touch === false ? 'session-look' : 'session';
    const caller = await callers.get(`${look}:${sha256(session)}`, () =>
      findSessionCaller(db, session, options),
    );
    return caller ?? 'Your session has ended: sign in again';
  }
  if (!header) return 'Missing API key: send "Authorization: Bearer 2pk_…"';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) return 'Authorization header must be "Bearer 2pk_…"';
  const presented = match[1] ?? '';
  if (!API_KEY_PATTERN.test(presented)) return 'Invalid or revoked API key';
  const hash = sha256(presented);
  const caller = await callers.get(hash, () => findCaller(db, presented, hash));
  return caller ?? 'Invalid or revoked API key';
}

/**
 * Whether the request's credential still works as it did when the request began: its key not
 * revoked, its session not ended, its user not disabled or changed, its tenant still on the Pro
 * plan. What a long request (an event stream) asks again as it goes. It reads the caller cache,
 * which forgets a caller at once when any server changes it (and within a minute at most).
 */
export async function credentialStillWorks(
  c: Context<ApiEnv>,
  db: Kysely<Database>,
  callers: CallerCache,
) {
  const before = c.get('caller');
  // Asking again is not a use: an open stream alone does not keep a session from idling out.
  const now = await callerOf(c, db, callers, { touch: false });
  return (
    typeof now !== 'string' &&
    now.tenant.plan === 'pro' &&
    now.key?.id === before.key?.id &&
    now.user?.id === before.user?.id &&
    now.user?.role === before.user?.role
  );
}

/**
 * Who calls: a Bearer API key, or else a dashboard session's cookie. 401 without either (or
 * with one that no longer works), 403 for a tenant not on the Pro plan. Routes open to anyone
 * are not asked.
 */
export function authenticate(options: {
  db: Kysely<Database>;
  callers: CallerCache;
}): MiddlewareHandler<ApiEnv> {
  const { db, callers } = options;
  return async function authenticateMiddleware(c, next) {
    if (isOpenRoute(c)) return next();
    const caller = await callerOf(c, db, callers);
    if (typeof caller === 'string') throw unauthorized(caller);
    if (caller.tenant.plan !== 'pro') {
      throw new ApiError(
        403,
        `The REST API requires the Pro plan; this tenant is on the ${caller.tenant.plan} plan`,
      );
    }
    c.set('caller', caller);
    await next();
  };
}

/**
 * Whether the caller is of a kind the route's `access` lists; else 403. A scan-scope key (what
 * door staff carry on phones) is told what it may call: a door holds only what deciding needs
 * (see `GET /scanner/sync`), never the guests' contact details.
 */
export function authorize(options: { routes: () => RouteTable }): MiddlewareHandler<ApiEnv> {
  let doorOperations: string | undefined;
  const describeDoor = () => {
    doorOperations ??= options
      .routes()
      .filter(({ declared }) => declared.access.includes('scan-key'))
      .map(({ declared }) => `${declared.method} ${declared.path}`)
      .join(', ');
    return doorOperations;
  };
  /** Why a caller of `kind` may not call `route`, in words it can act on. */
  const refusal = (kind: CallerKind, route: DeclaredAccess) => {
    if (kind === 'scan-key')
      return `This API key has the "scan" scope: it may only call ${describeDoor()}`;
    if (kind === 'staff' && route.access.includes('admin'))
      return `Only admins may ${route.summary.charAt(0).toLowerCase()}${route.summary.slice(1)}`;
    return `${route.method} ${route.path} may be called by ${describeAccess(route.access)}`;
  };
  return async function authorizeMiddleware(c, next) {
    if (isOpenRoute(c)) return next();
    const route = c.get('route');
    const kind = callerKind(c.get('caller'));
    if (!route.access.includes(kind)) throw new ApiError(403, refusal(kind, route));
    await next();
  };
}
