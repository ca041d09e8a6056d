import type { CallerKind } from '../access';
import type { ApiKey, Role, Tenant } from '../db/schema';

// Who calls the API: an API key or a signed-in user, and their tenant. Found by `authenticate`
// through the caller cache: keys by `findCaller`, sessions by `domain/sessions.ts`.

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
  /** When the session ends unless used again: its idle end or its last day, the sooner. */
  sessionEndsAt: Date;
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

/** The kind of caller a request came from, once authenticated. */
export function callerKind(caller: Caller): CallerKind {
  if (caller.key) return caller.key.scope === 'full' ? 'full-key' : 'scan-key';
  return caller.user.role === 'admin' ? 'admin' : 'staff';
}
