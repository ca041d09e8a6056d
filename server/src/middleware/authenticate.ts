import type { MiddlewareHandler } from 'hono';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { API_KEY_PATTERN, apiKeyPrefix, constantTimeEqual, sha256 } from '../domain/ids';
import { ApiError } from '../errors';
import type { CallerCache } from '../services/callers';
import type { ApiEnv, Caller } from './env';

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
    .select([
      'api_keys.id as key_id',
      'api_keys.prefix',
      'api_keys.key_hash',
      'api_keys.scope',
      'api_keys.rate_limit',
      'tenants.id as tenant_id',
      'tenants.name',
      'tenants.plan',
      'tenants.max_passes',
      'tenants.webhook_quota',
    ])
    .where('api_keys.prefix', '=', apiKeyPrefix(presented))
    .where('api_keys.revoked_at', 'is', null)
    .execute();
  const row = rows.find((candidate) => constantTimeEqual(candidate.key_hash, hash));
  if (!row) return undefined;
  return {
    tenant: {
      id: row.tenant_id,
      name: row.name,
      plan: row.plan,
      max_passes: row.max_passes,
      webhook_quota: row.webhook_quota,
    },
    key: { id: row.key_id, prefix: row.prefix, scope: row.scope, rate_limit: row.rate_limit },
  };
}

/** Bearer-key authentication: 401 without a valid key, 403 for a tenant not on the Pro plan. */
export function authenticate(options: {
  db: Kysely<Database>;
  callers: CallerCache;
}): MiddlewareHandler<ApiEnv> {
  const { db, callers } = options;
  return async function authenticateMiddleware(c, next) {
    const header = c.req.header('authorization');
    if (!header) throw unauthorized('Missing API key: send "Authorization: Bearer 2pk_…"');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw unauthorized('Authorization header must be "Bearer 2pk_…"');
    const presented = match[1] ?? '';
    let caller: Caller | undefined;
    if (API_KEY_PATTERN.test(presented)) {
      const hash = sha256(presented);
      caller = await callers.get(hash, () => findCaller(db, presented, hash));
    }
    if (!caller) throw unauthorized('Invalid or revoked API key');
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
 * Scan-scope keys (the ones door staff carry on phones) may call only `scanPaths`: they scan and
 * ask who they are, and never see the guest list.
 */
export function restrictScanScope(options: { scanPaths: string[] }): MiddlewareHandler<ApiEnv> {
  const allowed = new Set(options.scanPaths);
  return async function restrictScanScopeMiddleware(c, next) {
    if (c.get('caller').key.scope !== 'full' && !allowed.has(c.req.path)) {
      throw new ApiError(
        403,
        'This API key has the "scan" scope: it may only call POST /scan and GET /me',
      );
    }
    await next();
  };
}
