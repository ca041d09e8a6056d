import type { Device } from '@passgate/shared';
import type { DeviceRow } from '../../db/schema';
import { toIso } from '../support';

export function presentDevice(row: DeviceRow): Device {
  return {
    id: row.id,
    name: row.name,
    rateLimit: row.rate_limit,
    createdAt: row.created_at.toISOString(),
    lastSeenAt: toIso(row.last_seen_at),
    lastSyncAt: toIso(row.last_sync_at),
    clockSkewMs: row.clock_skew_ms,
    revokedAt: toIso(row.revoked_at),
  };
}

/** The link that pairs a phone: the token stays in the fragment, out of every server log. */
export const pairingUrlOf = (publicUrl: string, token: string) =>
  `${publicUrl}/scanner/#pair=${token}`;
