import type { SSEStreamingApi } from 'hono/streaming';
import type { Logger } from '../../logger';
import type { LiveStreams } from '../../services/live-streams';
import type { Follower, ScanFeeds, StreamedScan } from '../../services/scan-feeds';
import { presentScanListItem } from './present';

/** How often a stream asks again whether its credential works, and sends what came. */
const TICK_MS = 1_000;
/** A comment line this often keeps proxies from closing a quiet stream. */
const KEEP_ALIVE_MS = 15_000;
/**
 * Scans a stream may have waiting to be sent (beyond what the connection's buffers hold); a
 * client that far behind is let go, to reconnect from its place.
 */
export const MAX_WAITING = 10_000;
/** Sent as the last event when the stream's credential stops working. */
const CREDENTIAL_ENDED = 'Your session or API key no longer works: sign in again';
/** What the browser waits before reconnecting. */
const RETRY_MS = 1_000;

/**
 * Sends the tenant's scans as they are written, from transaction `from` on, until the client
 * goes or the server stops. The server's one poller (`ScanFeeds`) reads them for every stream of
 * the tenant at once. Each event's id is the stream's place (`s1.<xid>`): a client that
 * reconnects with it as `Last-Event-ID` misses no scan. It may be sent a scan it had, near the
 * place; scan ids tell them apart. It ends, with an `end` event, within a second once its
 * credential stops working.
 */
export async function sendScans(
  stream: SSEStreamingApi,
  options: {
    feeds: ScanFeeds;
    tenantId: string;
    from: string;
    liveStreams: LiveStreams;
    logger: Logger;
    /** Asked every tick: false ends the stream (a key revoked, a session ended). */
    stillAllowed: () => Promise<boolean>;
  },
) {
  const { feeds, tenantId, liveStreams, logger, stillAllowed } = options;
  /** What the poller handed over and this stream has not sent yet. */
  const waiting: { scans: StreamedScan[]; place: bigint }[] = [];
  let waitingScans = 0;
  let failure: unknown;
  /** Scans sent that a later look may hand over again: those at or above the place. */
  const sent = new Map<string, bigint>();
  let wake = () => {};
  let open = true;
  const end = () => {
    open = false;
    wake();
  };
  /**
   * Too far behind: keep nothing more for it, and give up the write it waits on (a client that
   * reads nothing more would hold it until TCP gave up). It reconnects from the last event it
   * read.
   */
  const letGo = () => {
    waiting.length = 0;
    waitingScans = 0;
    end();
    stream.abort();
  };
  const follower: Follower = {
    from: BigInt(options.from),
    deliver(scans, place) {
      if (!open) return;
      waiting.push({ scans, place });
      waitingScans += scans.length;
      if (waitingScans > MAX_WAITING) letGo();
      else if (scans.length > 0) wake();
    },
    fail(error) {
      failure = error;
      wake();
    },
  };
  const unregister = liveStreams.add(end);
  stream.onAbort(end);
  let quietSince = Date.now();
  const unfollow = feeds.follow(tenantId, follower);
  try {
    await stream.writeSSE({
      event: 'ready',
      data: '{}',
      id: `s1.${options.from}`,
      retry: RETRY_MS,
    });
    while (open) {
      if (failure) throw failure;
      if (!(await stillAllowed())) {
        await stream.writeSSE({ event: 'end', data: JSON.stringify({ error: CREDENTIAL_ENDED }) });
        break;
      }
      for (let next = waiting.shift(); next && open; next = waiting.shift()) {
        waitingScans -= next.scans.length;
        for (const row of next.scans) {
          if (sent.has(row.id)) continue;
          sent.set(row.id, BigInt(row.stream_xid));
          await stream.writeSSE({
            event: 'scan',
            id: `s1.${next.place}`,
            data: JSON.stringify(presentScanListItem(row)),
          });
          quietSince = Date.now();
        }
        for (const [id, xid] of sent) if (xid < next.place) sent.delete(id);
      }
      if (Date.now() - quietSince >= KEEP_ALIVE_MS) {
        await stream.write(': keep-alive\n\n');
        quietSince = Date.now();
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, TICK_MS).unref();
      });
    }
  } catch (error) {
    // The database went away, or the client: the browser reconnects with its last event's id.
    if (open) logger.warn({ err: error }, 'scan stream ended');
  } finally {
    unfollow();
    unregister();
    await stream.close().catch(() => {});
  }
}
