import type { ApiKey, Tenant } from '../db/schema';

/** Who is calling: the API key and its tenant, set by `authenticate`. */
export interface Caller {
  tenant: Pick<Tenant, 'id' | 'name' | 'plan' | 'max_passes' | 'webhook_quota'>;
  key: Pick<ApiKey, 'id' | 'prefix' | 'scope' | 'rate_limit'>;
}

/** A request's Idempotency-Key claim, set by `idempotency`. */
export interface IdempotencyClaim {
  apiKeyId: string;
  key: string;
  /** Set once the answer has been committed together with the change. */
  completed: boolean;
}

/** The context variables of every /api/v1 request. */
export type ApiEnv = { Variables: { caller: Caller; idempotency: IdempotencyClaim | undefined } };
