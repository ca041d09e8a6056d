import { describe, expect, it } from 'vitest';
import {
  newPassRow,
  pastRunningTransactions,
  useTestDatabase,
} from '../../../test/support/test-database';
import { newId } from '../domain/ids';
import { scanPasses } from '../domain/scans/statement';
import { snapshot } from '../domain/sweep';
import type { Logger } from '../logger';
import { createScanFeeds, type Follower, type StreamedScan } from './scan-feeds';

const database = useTestDatabase();
const logger = { warn: () => {} } as unknown as Logger;

/** A follower that keeps what it is handed. */
function follower(from: bigint) {
  const got: { scans: StreamedScan[]; place: bigint }[] = [];
  const failures: unknown[] = [];
  const self: Follower & { got: typeof got; failures: unknown[]; ids(): string[] } = {
    from,
    got,
    failures,
    deliver: (scans, place) => got.push({ scans, place }),
    fail: (error) => failures.push(error),
    ids: () => got.flatMap(({ scans }) => scans.map((scan) => scan.id)),
  };
  return self;
}

/** Scans a new multi pass of the tenant once; the scan's id. */
async function scanOnce(tenantId: string) {
  const { db } = database.handle;
  const pass = newPassRow(tenantId, { type: 'multi' });
  await db.insertInto('passes').values(pass).execute();
  const scanId = newId('scan');
  await scanPasses(
    db,
    [
      {
        tenantId,
        apiKeyId: null,
        code: pass.code,
        device: null,
        deviceId: null,
        idempotencyKey: null,
        locationId: null,
        direction: 'entry',
        scanId,
      },
    ],
    new Date(),
    'http://localhost',
  );
  return scanId;
}

describe('the scan streams’ one poller', () => {
  it('reads every followed tenant in one statement a look, however many follow', async () => {
    const { db } = database.handle;
    const tenants = [database.tenantId, newId('tenant'), newId('tenant')];
    for (const id of tenants.slice(1)) {
      await db
        .insertInto('tenants')
        .values({ id, name: id, plan: 'pro', max_passes: null })
        .execute();
    }
    const feeds = createScanFeeds({ db, logger, intervalMs: 3_600_000, pageSize: 3 });
    try {
      await feeds.look();
      expect(feeds.reads).toBe(0);
      const start = BigInt((await snapshot(db)).next);
      const followers = tenants.map(() => Array.from({ length: 10 }, () => follower(start)));
      const unfollow = tenants.map((tenantId, i) =>
        followers[i]!.map((f) => feeds.follow(tenantId, f)),
      );
      const first = await Promise.all(tenants.map((tenantId) => scanOnce(tenantId)));
      await pastRunningTransactions(db);
      const before = feeds.reads;
      await feeds.look();
      // The snapshot, and every tenant's new scans in one statement.
      expect(feeds.reads - before).toBe(2);
      for (const [i, group] of followers.entries()) {
        for (const f of group) expect(f.ids()).toEqual([first[i]]);
      }

      // One of the first tenant's followers comes back from an earlier place: it is handed the
      // scan again (the stream tells it by its id), and no one else is.
      const late = follower(start);
      feeds.follow(tenants[0]!, late);
      const second = await scanOnce(tenants[0]!);
      await feeds.look();
      expect(late.ids()).toEqual([first[0], second]);
      for (const f of followers[0]!) expect(f.ids()).toEqual([first[0], second]);
      for (const f of followers[1]!) expect(f.ids()).toEqual([first[1]]);

      // A tenant no one follows any more is not read.
      for (const stop of unfollow[2]!) stop();
      const again = feeds.reads;
      await feeds.look();
      expect(feeds.reads - again).toBe(2);

      // More new scans than a page: the rest of that tenant's come a page at a time.
      const many = [];
      for (let i = 0; i < 7; i++) many.push(await scanOnce(tenants[1]!));
      const paged = feeds.reads;
      await feeds.look();
      expect(feeds.reads - paged).toBe(2 + 2);
      for (const f of followers[1]!) expect(f.ids()).toEqual([first[1], ...many]);
      // Each place handed over is where the next look starts for that follower.
      for (const f of followers[1]!) {
        const places = f.got.map(({ place }) => place);
        expect(places).toEqual([...places].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
        expect(f.from).toBe(places.at(-1));
      }
    } finally {
      feeds.stop();
    }
  });
});
