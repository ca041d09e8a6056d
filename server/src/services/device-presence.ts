import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

/** A device's last-seen time is written at most this often (not on every scan). */
const WRITE_EVERY_MS = 30_000;
/** Past this many devices, the oldest notes are forgotten (their next request writes again). */
const REMEMBER_AT_MOST = 10_000;

export interface DevicePresence {
  /**
   * A device's credential made a request at `now`; `deviceTime` is the device's own clock at the
   * time, when it said so. Writes `last_seen_at` and the clock skew at most every 30 seconds.
   */
  seen(deviceId: string, deviceTime: Date | null, now?: Date): Promise<void>;
}

export function createDevicePresence(options: { db: Kysely<Database> }): DevicePresence {
  const { db } = options;
  const lastWritten = new Map<string, number>();
  return {
    async seen(deviceId, deviceTime, now = new Date()) {
      const last = lastWritten.get(deviceId);
      if (last !== undefined && now.getTime() - last < WRITE_EVERY_MS) return;
      if (lastWritten.size >= REMEMBER_AT_MOST) lastWritten.clear();
      lastWritten.set(deviceId, now.getTime());
      await db
        .updateTable('devices')
        .set({
          last_seen_at: now,
          ...(deviceTime ? { clock_skew_ms: clampSkew(deviceTime.getTime() - now.getTime()) } : {}),
        })
        .where('id', '=', deviceId)
        .execute();
    },
  };
}

/** Within PostgreSQL's integer (about 24 days either way): a clock further off is just "far off". */
const clampSkew = (ms: number) => Math.max(-2e9, Math.min(2e9, Math.round(ms)));

/** The `X-Device-Time` header a scanner sends: its clock, as an ISO instant; else null. */
export function deviceTimeOf(header: string | undefined): Date | null {
  if (!header || header.length > 40) return null;
  const time = new Date(header);
  return Number.isNaN(time.getTime()) ? null : time;
}
