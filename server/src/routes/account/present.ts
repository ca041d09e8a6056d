import type { Account } from '@passgate/shared';
import type { Caller } from '../../domain/callers';
import { DEFAULT_LIMITS, USER_LIMITS } from '../../services/rate-limits';

export const presentAccount = (
  tenant: Caller['tenant'],
  usage: { passes: number; webhooks: number },
): Account => ({
  tenant: { id: tenant.id, name: tenant.name, plan: tenant.plan },
  passes: { count: usage.passes, limit: tenant.max_passes },
  webhooks: { count: usage.webhooks, quota: tenant.webhook_quota },
  rateLimits: {
    core: DEFAULT_LIMITS.core,
    webhooks: DEFAULT_LIMITS.webhooks,
    user: USER_LIMITS.core,
  },
});
