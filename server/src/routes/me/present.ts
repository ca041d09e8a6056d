import type { Me } from '@passgate/shared';
import type { Caller } from '../../domain/callers';
import { limitFor } from '../../services/rate-limits';

/** The caller and its tenant, as authentication found them: `/me` reads no table. */
export const presentMe = (
  { tenant, key, user }: Caller,
  location: NonNullable<Me['device']>['location'] = null,
): Me => ({
  tenant: { id: tenant.id, name: tenant.name, plan: tenant.plan },
  role: key ? (key.scope === 'full' ? 'admin' : 'door') : user.role,
  key: key && {
    id: key.id,
    prefix: key.prefix,
    scope: key.scope,
    rateLimit: limitFor('core', key.rate_limit),
  },
  user: user && { id: user.id, email: user.email, name: user.name, role: user.role },
  device: key?.device ? { ...key.device, location } : null,
});
