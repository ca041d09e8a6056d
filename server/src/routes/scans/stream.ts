import type { SSEStreamingApi } from 'hono/streaming';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { snapshot } from '../../domain/sweep';
import type { Logger } from '../../logger';
import type { LiveStreams } from '../../services/live-streams';
import { presentScanListItem } from './present';
import { streamScans } from './queries';

/** How often a stream looks for new scans, and a page of them. */
const POLL_MS = 1_000;
const PAGE = 500;
/** A comment line this often keeps proxies from closing a quiet stream. */
const KEEP_ALIVE_MS = 15_000;
/** Sent as the last event when the stream's credential stops working. */
const CREDENTIAL_ENDED = 'Your session or API key no longer works: sign in again';
/** What the browser waits before reconnecting. */
const RETRY_MS = 1_000;

/**
 * Sends the tenant's scans as they are written, from transaction `from` on, until the client
 * goes or the server stops. Each event's id is the stream's place (`s1.<xid>`): a client that
 * reconnects with it as `Last-Event-ID` misses no scan. It may be sent a scan it had, near the
 * place; scan ids tell them apart. It ends, with an `end` event, within one look once its
 * credential stops working.
 */
export async function sendScans(
  stream: SSEStreamingApi,
  options: {
    db: Kysely<Database>;
    tenantId: string;
    from: string;
    liveStreams: LiveStreams;
    logger: Logger;
    /** Asked before each look for new scans: false ends the stream (a key revoked, a session ended). */
    stillAllowed: () => Promise<boolean>;
  },
) {
  const { db, tenantId, liveStreams, logger, stillAllowed } = options;
  let from = BigInt(options.from);
  /** Scans sent that a later read may see again: those at or above `from`. */
  const sent = new Map<string, bigint>();
  let wake = () => {};
  let open = true;
  const end = () => {
    open = false;
    wake();
  };
  const unregister = liveStreams.add(end);
  stream.onAbort(end);
  let quietSince = Date.now();
  try {
    await stream.writeSSE({ event: 'ready', data: '{}', id: `s1.${from}`, retry: RETRY_MS });
    while (open) {
      if (!(await stillAllowed())) {
        await stream.writeSSE({ event: 'end', data: JSON.stringify({ error: CREDENTIAL_ENDED }) });
        break;
      }
      const { floor } = await snapshot(db);
      const next = BigInt(floor) > from ? BigInt(floor) : from;
      let after: { xid: string; id: string } | null = null;
      for (;;) {
        const rows = await streamScans(db, tenantId, String(from), after, PAGE);
        for (const row of rows) {
          if (sent.has(row.id)) continue;
          sent.set(row.id, BigInt(row.stream_xid));
          await stream.writeSSE({
            event: 'scan',
            id: `s1.${next}`,
            data: JSON.stringify(presentScanListItem(row)),
          });
          quietSince = Date.now();
        }
        const last = rows.at(-1);
        if (rows.length < PAGE || !last) break;
        after = { xid: last.stream_xid, id: last.id };
      }
      from = next;
      for (const [id, xid] of sent) if (xid < from) sent.delete(id);
      if (Date.now() - quietSince >= KEEP_ALIVE_MS) {
        await stream.write(': keep-alive\n\n');
        quietSince = Date.now();
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, POLL_MS).unref();
      });
    }
  } catch (error) {
    // The database went away, or the client: the browser reconnects with its last event's id.
    if (open) logger.warn({ err: error }, 'scan stream ended');
  } finally {
    unregister();
    await stream.close().catch(() => {});
  }
}
