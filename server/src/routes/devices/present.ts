import type { Device, DevicePairing } from '@passgate/shared';
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
    queueSize: row.queue_size,
    revokedAt: toIso(row.revoked_at),
    locationId: row.location_id,
  };
}

/** The link that pairs a phone: the token stays in the fragment, out of every server log. */
export const pairingUrlOf = (publicUrl: string, token: string) =>
  `${publicUrl}/scanner/#pair=${token}`;

/** A device with its new pairing link: what creating it, or a fresh link, answers. */
export const presentPairing = (
  publicUrl: string,
  device: DeviceRow,
  pairing: { token: string; expiresAt: Date },
): DevicePairing => ({
  device: presentDevice(device),
  pairingUrl: pairingUrlOf(publicUrl, pairing.token),
  expiresAt: pairing.expiresAt.toISOString(),
});
