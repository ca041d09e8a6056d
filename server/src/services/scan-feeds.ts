import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { streamScans, streamScansOfTenants } from '../domain/scans/find';
import { snapshot } from '../domain/sweep';
import type { Logger } from '../logger';

/** A scan as a stream sends it, with the transaction that wrote it. */
export type StreamedScan = Awaited<ReturnType<typeof streamScans>>[number];

/** One follower of a tenant's scans: a stream, from its place on. */
export interface Follower {
  /** The transaction from which on it has not seen every scan yet. */
  from: bigint;
  /**
   * A look's scans at or past `from` (some may have been sent near the place already), and the
   * place to resume from after them.
   */
  deliver(scans: StreamedScan[], place: bigint): void;
  /** The database could not be read: the follower is dropped. */
  fail(error: unknown): void;
}

export interface ScanFeeds {
  /** Follows the tenant's scans; answers the function that stops following. */
  follow(tenantId: string, follower: Follower): () => void;
  /** One look for every tenant with followers (the timer calls it every interval). */
  look(): Promise<void>;
  /**
   * How many statements the looks have sent: two a look (the snapshot, and every followed
   * tenant's new scans in one), and more only for a tenant with more than a page of new scans.
   */
  readonly reads: number;
  stop(): void;
}

/**
 * The live scan streams' one poller: each interval it reads the database's snapshot, and the new
 * scans of every tenant with open streams in one statement (each tenant from the oldest place
 * among its streams), and hands every stream what it has not seen. A thousand open dashboards of
 * a hundred tenants are two statements an interval, not a thousand; a server with no stream open
 * reads nothing.
 */
export function createScanFeeds(options: {
  db: Kysely<Database>;
  logger: Logger;
  intervalMs?: number;
  /** Scans read for a tenant in one statement; more come a page at a time. */
  pageSize?: number;
}): ScanFeeds {
  const { db, logger, intervalMs = 500, pageSize: PAGE = 500 } = options;
  const tenants = new Map<string, Set<Follower>>();
  let reads = 0;
  let timer: NodeJS.Timeout | undefined;
  let looking: Promise<void> | undefined;
  let stopped = false;

  function schedule() {
    if (stopped || timer || tenants.size === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      void look().finally(schedule);
    }, intervalMs);
    timer.unref();
  }

  /** The tenant's scans from `from` on, after `after`, every page. */
  async function readRest(tenantId: string, from: bigint, after: StreamedScan) {
    const scans: StreamedScan[] = [];
    let last: StreamedScan | undefined = after;
    while (last) {
      reads++;
      const rows = await streamScans(
        db,
        tenantId,
        String(from),
        { xid: last.stream_xid, id: last.id },
        PAGE,
      );
      scans.push(...rows);
      last = rows.length === PAGE ? rows.at(-1) : undefined;
    }
    return scans;
  }

  /** Hands each follower of the tenant the scans at or past its place, and the new place. */
  function deliver(
    followers: Set<Follower>,
    taking: Follower[],
    scans: StreamedScan[],
    floor: bigint,
  ) {
    for (const follower of taking) {
      if (!followers.has(follower)) continue;
      const place = floor > follower.from ? floor : follower.from;
      follower.deliver(
        scans.filter((scan) => BigInt(scan.stream_xid) >= follower.from),
        place,
      );
      follower.from = place;
    }
  }

  async function lookOnce() {
    if (tenants.size === 0) return;
    const looked = [...tenants].map(([tenantId, followers]) => {
      const taking = [...followers];
      let from: bigint | undefined;
      for (const follower of taking)
        if (from === undefined || follower.from < from) from = follower.from;
      return { tenantId, followers, taking, from: from ?? 0n };
    });
    try {
      reads += 2;
      const floor = BigInt((await snapshot(db)).floor);
      const rows = await streamScansOfTenants(
        db,
        looked.map(({ tenantId, from }) => ({ tenantId, from: String(from) })),
        PAGE,
      );
      const byTenant = new Map<string, StreamedScan[]>();
      for (const row of rows) {
        const scans = byTenant.get(row.tenant_id) ?? [];
        scans.push(row);
        byTenant.set(row.tenant_id, scans);
      }
      for (const { tenantId, followers, taking, from } of looked) {
        const scans = byTenant.get(tenantId) ?? [];
        const last = scans.at(-1);
        if (scans.length === PAGE && last) scans.push(...(await readRest(tenantId, from, last)));
        deliver(followers, taking, scans, floor);
      }
    } catch (error) {
      logger.warn({ err: error }, 'scan streams: the database could not be read');
      for (const { taking } of looked) for (const follower of taking) follower.fail(error);
    }
  }

  function look() {
    looking ??= lookOnce().finally(() => {
      looking = undefined;
    });
    return looking;
  }

  return {
    follow(tenantId, follower) {
      const followers = tenants.get(tenantId) ?? new Set<Follower>();
      tenants.set(tenantId, followers);
      followers.add(follower);
      schedule();
      return () => {
        followers.delete(follower);
        if (followers.size === 0 && tenants.get(tenantId) === followers) tenants.delete(tenantId);
      };
    },
    look,
    get reads() {
      return reads;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
