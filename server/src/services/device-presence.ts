import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

/** A device's last-seen time is written at most this often (not on every scan). */
const WRITE_EVERY_MS = 30_000;
/** Past this many devices, the oldest notes are forgotten (their next request writes again). */
const REMEMBER_AT_MOST = 10_000;

export interface DevicePresence {
  /**
   * A device's credential made a request at `now`; `report` is what the device said of itself:
   * its own clock at the time, and how many scans wait on it to upload. Writes `last_seen_at`,
   * the clock skew and the queue at most every 30 seconds.
   */
  seen(deviceId: string, report: DeviceReport, now?: Date): Promise<void>;
}

export interface DeviceReport {
  time: Date | null;
  queue: number | null;
}

export function createDevicePresence(options: { db: Kysely<Database> }): DevicePresence {
  const { db } = options;
  const lastWritten = new Map<string, number>();
  return {
    async seen(deviceId, { time, queue }, now = new Date()) {
      const last = lastWritten.get(deviceId);
      if (last !== undefined && now.getTime() - last < WRITE_EVERY_MS) return;
      if (lastWritten.size >= REMEMBER_AT_MOST) lastWritten.clear();
      lastWritten.set(deviceId, now.getTime());
      await db
        .updateTable('devices')
        .set({
          last_seen_at: now,
          ...(time ? { clock_skew_ms: clampSkew(time.getTime() - now.getTime()) } : {}),
          ...(queue !== null ? { queue_size: queue } : {}),
        })
        .where('id', '=', deviceId)
        .execute();
    },
  };
}

/** Within PostgreSQL's integer (about 24 days either way): a clock further off is just "far off". */
const clampSkew = (ms: number) => Math.max(-2e9, Math.min(2e9, Math.round(ms)));

/** The `X-Device-Queue` header a scanner sends: scans waiting to upload; else null. */
export function deviceQueueOf(header: string | undefined): number | null {
  return header && /^\d{1,7}$/.test(header) ? Number(header) : null;
}

/** The `X-Device-Time` header a scanner sends: its clock, as an ISO instant; else null. */
export function deviceTimeOf(header: string | undefined): Date | null {
  if (!header || header.length > 40) return null;
  const time = new Date(header);
  return Number.isNaN(time.getTime()) ? null : time;
}
