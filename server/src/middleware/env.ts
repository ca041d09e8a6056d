import type { Context } from 'hono';
import type { DeclaredAccess } from '../access';
import type { ApiKey, Role, Tenant } from '../db/schema';
import type { IdempotencyClaim } from './idempotency';

/** An API key that calls. */
export type KeyCredential = Pick<ApiKey, 'id' | 'prefix' | 'scope' | 'rate_limit'> & {
  /** The door device whose credential the key is, if any. */
  device: { id: string; name: string } | null;
};

/** A person signed in to the dashboard, calling with a session cookie. */
export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  /** The hash of the session's token: what signing out ends. */
  sessionHash: string;
}

/** Who is calling, as `authenticate` found it: an API key or a signed-in user, and the tenant. */
export type Caller = {
  tenant: Pick<Tenant, 'id' | 'name' | 'plan' | 'max_passes' | 'webhook_quota'>;
} & ({ key: KeyCredential; user: null } | { key: null; user: SessionUser });

/** What authentication reads of a caller's tenant, joined as `tenants`. */
export const CALLER_TENANT_COLUMNS = [
  'tenants.id as tenant_id',
  'tenants.name',
  'tenants.plan',
  'tenants.max_passes',
  'tenants.webhook_quota',
] as const;

/** The caller's tenant, from a row holding `CALLER_TENANT_COLUMNS`. */
export const callerTenant = (row: {
  tenant_id: string;
  name: string;
  plan: Tenant['plan'];
  max_passes: number | null;
  webhook_quota: number;
}): Caller['tenant'] => ({
  id: row.tenant_id,
  name: row.name,
  plan: row.plan,
  max_passes: row.max_passes,
  webhook_quota: row.webhook_quota,
});

/** What a caller's requests are counted under: its key, or its user. */
export const callerId = (caller: Caller) => (caller.key ? caller.key.id : caller.user.id);

/**
 * The context variables of every /api/v1 request: its route, as `knownRoutesOnly` found it, and
 * who calls, as `authenticate` found it (on every route but those open to anyone).
 */
export type ApiEnv = {
  Variables: {
    route: DeclaredAccess;
    caller: Caller;
    idempotency: IdempotencyClaim | undefined;
  };
};

/** Whether the request's route is open to anyone: it then has no caller. */
export const isOpenRoute = (c: Context<ApiEnv>) => c.get('route').open;
