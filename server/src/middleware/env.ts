import type { ApiKey, Tenant } from '../db/schema';
import type { IdempotencyClaim } from './idempotency';

/** Who is calling: the API key and its tenant, set by `authenticate`. */
export interface Caller {
  tenant: Pick<Tenant, 'id' | 'name' | 'plan' | 'max_passes' | 'webhook_quota'>;
  key: Pick<ApiKey, 'id' | 'prefix' | 'scope' | 'rate_limit'> & {
    /** The door device whose credential the key is, if any. */
    device: { id: string; name: string } | null;
  };
}

/** The context variables of every /api/v1 request. */
export type ApiEnv = { Variables: { caller: Caller; idempotency: IdempotencyClaim | undefined } };
