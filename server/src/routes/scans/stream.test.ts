import { SSEStreamingApi } from 'hono/streaming';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../logger';
import { createLiveStreams } from '../../services/live-streams';
import type { Follower, ScanFeeds, StreamedScan } from '../../services/scan-feeds';
import { MAX_WAITING, sendScans } from './stream';

/** Scans as the poller hands them over, at transaction `place`. */
const scansAt = (place: number, count: number) =>
  Array.from(
    { length: count },
    (_, i) =>
      ({
        id: `scan_${place}_${i}`,
        pass_id: 'pass_1',
        pass_code: 'AAAAAAAAAAAA',
        pass_name: null,
        client_name: null,
        result: 'success',
        offline: false,
        conflict: false,
        device_id: null,
        device_name: null,
        direction: 'entry',
        location_id: null,
        scanned_at: new Date(),
        received_at: new Date(),
        annulled_at: null,
        clock_corrected_ms: null,
        stream_xid: String(place),
      }) as unknown as StreamedScan,
  );

/**
 * A response nobody reads, for Hono's own stream: its first write (the `ready` event) goes
 * through, and each after it waits, as over a connection whose buffers are full, until the
 * response is cancelled.
 */
function connectionNobodyReads() {
  let cancel = () => {};
  const cancelled = new Promise<never>((_, reject) => {
    cancel = () => reject(new Error('cancelled'));
  });
  cancelled.catch(() => {});
  let writes = 0;
  return {
    writable: new WritableStream<Uint8Array>({
      write: () => (++writes === 1 ? undefined : cancelled),
    }),
    readable: new ReadableStream<Uint8Array>({ cancel: () => cancel() }),
    /** Writes that reached the connection, the one waiting included. */
    writes: () => writes,
  };
}

describe('a scan stream whose client reads nothing', () => {
  it(`is let go once more than ${MAX_WAITING} scans wait, giving up the write it waits on`, async () => {
    const connection = connectionNobodyReads();
    const stream = new SSEStreamingApi(connection.writable, connection.readable);
    let follower: Follower | undefined;
    let following = false;
    const feeds = {
      follow(_tenantId: string, next: Follower) {
        follower = next;
        following = true;
        return () => {
          following = false;
        };
      },
    } as unknown as ScanFeeds;
    const liveStreams = createLiveStreams();
    const sending = sendScans(stream, {
      feeds,
      tenantId: 'tenant_1',
      from: '1',
      liveStreams,
      logger: { warn: () => {} } as unknown as Logger,
      stillAllowed: async () => true,
    });
    await expect.poll(() => follower).toBeDefined();

    // The first scan is taken, and its write waits for the reader.
    follower?.deliver(scansAt(2, 1), 3n);
    await expect.poll(connection.writes).toBe(2);
    // The rest wait behind it: as many as may, then more.
    follower?.deliver(scansAt(3, MAX_WAITING - 1), 4n);
    follower?.deliver([], 5n);
    follower?.deliver(scansAt(5, 1), 6n);
    expect(stream.aborted).toBe(false);
    follower?.deliver(scansAt(6, 1), 7n);
    expect(stream.aborted).toBe(true);
    // The stream is over: it no longer follows the tenant's scans, nor counts as open.
    await sending;
    expect(following).toBe(false);
    expect(liveStreams.size).toBe(0);
  });
});
