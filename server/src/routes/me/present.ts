import type { Me } from '@passgate/shared';
import type { Caller } from '../../middleware/env';
import { limitFor } from '../../services/rate-limits';

/** The calling key and its tenant, as authentication found them: `/me` reads no table. */
export const presentMe = ({ tenant, key }: Caller): Me => ({
  tenant: { id: tenant.id, name: tenant.name, plan: tenant.plan },
  key: {
    id: key.id,
    prefix: key.prefix,
    scope: key.scope,
    rateLimit: limitFor('core', key.rate_limit),
  },
  device: key.device,
});
