import type { ScanAnswer } from '@passgate/shared';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { isDatabaseOutOfReach } from '../../errors';
import { IdempotencyClaim } from '../../middleware/idempotency';
import { newId } from '../ids';
import { presentScan } from './present';
import { type ScanInput, scanPasses } from './statement';

/** A door's scan as the queue takes it: who scanned which code, and the request's claim. */
export interface ScanOrder extends Omit<ScanInput, 'scanId'> {
  /** The request's Idempotency-Key claim: its answer is committed with the scan. */
  claim?: IdempotencyClaim | undefined;
}

export interface ScanQueue {
  /** The scan's answer, or undefined when no pass of the tenant has the code (nothing written). */
  scan(order: ScanOrder): Promise<ScanAnswer | undefined>;
}

interface Waiting {
  order: ScanOrder;
  resolve(answer: ScanAnswer | undefined): void;
  reject(error: unknown): void;
}

/** Bounds one statement's arrays (and how long its locks are held). */
const MAX_SCANS_PER_STATEMENT = 200;

/**
 * Scans go to the database through this queue, at most `concurrency` statements at a time; the
 * scans that arrive while those run wait and are decided together in the next statement, as one
 * transaction. A quiet door pays nothing for it (its scan goes at once), and a busy one pays a
 * round trip, a commit and a WAL flush per batch instead of per scan, so the server does more
 * of them the busier it is instead of falling behind. A pass is in one statement at most once:
 * a second scan of it waits for the next.
 */
export function createScanQueue(options: {
  db: Kysely<Database>;
  publicUrl: string;
  concurrency: number;
}): ScanQueue {
  const { db, publicUrl, concurrency } = options;
  let waiting: Waiting[] = [];
  let running = 0;

  /** The oldest waiting scans, one per pass code; the rest keep their place in the queue. */
  function takeBatch(): Waiting[] {
    const batch: Waiting[] = [];
    const rest: Waiting[] = [];
    const codes = new Set<string>();
    for (const scan of waiting) {
      if (batch.length < MAX_SCANS_PER_STATEMENT && !codes.has(scan.order.code)) {
        codes.add(scan.order.code);
        batch.push(scan);
      } else rest.push(scan);
    }
    waiting = rest;
    return batch;
  }

  function dispatch() {
    while (running < concurrency && waiting.length > 0) {
      running++;
      decide(takeBatch()).finally(() => {
        running--;
        dispatch();
      });
    }
  }

  async function decide(batch: Waiting[]): Promise<void> {
    const now = new Date();
    const inputs = batch.map(({ order }) => ({ ...order, scanId: newId('scan') }));
    /** Each scan's answer, or undefined where its code found no pass. */
    const decideIn = async (executor: Kysely<Database>) => {
      const passes = await scanPasses(executor, inputs, now, publicUrl);
      return inputs.map(({ scanId }) => {
        const pass = passes.get(scanId);
        return pass && presentScan(pass, now);
      });
    };
    try {
      const answers = batch.some(({ order }) => order.claim)
        ? await db.transaction().execute(async (trx) => {
            const answers = await decideIn(trx);
            await IdempotencyClaim.commitAll(
              trx,
              batch.flatMap(({ order: { claim } }, i) => {
                const answer = answers[i];
                return claim && answer ? [{ claim, answer: { status: 200, body: answer } }] : [];
              }),
            );
            return answers;
          })
        : await decideIn(db);
      for (const [i, { resolve }] of batch.entries()) resolve(answers[i]);
    } catch (error) {
      // A database out of reach would keep the scans waiting now for a statement of their own
      // that fails the same way: they are answered at once (503), and the door retries them.
      const failed = isDatabaseOutOfReach(error) ? [...batch, ...waiting.splice(0)] : batch;
      for (const { reject } of failed) reject(error);
    }
  }

  return {
    scan(order) {
      return new Promise((resolve, reject) => {
        waiting.push({ order, resolve, reject });
        dispatch();
      });
    },
  };
}
