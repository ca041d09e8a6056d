import type { ApiKeyInfo } from '@passgate/shared';
import type { ApiKey } from '../../db/schema';
import { limitFor } from '../../services/rate-limits';
import { toIso } from '../support';

export const presentKey = (key: ApiKey): ApiKeyInfo => ({
  id: key.id,
  prefix: key.prefix,
  scope: key.scope,
  rateLimit: limitFor('core', key.rate_limit),
  deviceId: key.device_id,
  createdAt: key.created_at.toISOString(),
  revokedAt: toIso(key.revoked_at),
});
