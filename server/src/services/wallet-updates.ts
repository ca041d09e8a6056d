import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { Logger } from '../logger';
import type { AppleWallet } from './apple-wallet';
import type { GoogleWallet } from './google-wallet';
import { patchDue } from './google-wallet-updates';
import type { SigningKeys } from './signing-keys';
import { fanOutBatch } from './wallet-fanouts';
import { pushDue } from './wallet-pushes';

/** Fan-out batches one tick works through at most, so pushes are not held up behind them. */
const FANOUT_BATCHES_PER_TICK = 20;

/**
 * Keeps the wallet copies of passes current, every `pollMs` until stopped: carries template and
 * location edits to the passes they touch, then sends the Apple pushes and Google updates due.
 */
export function startWalletUpdates(options: {
  db: Kysely<Database>;
  appleWallet: AppleWallet | undefined;
  googleWallet: GoogleWallet | undefined;
  publicUrl: string;
  logger: Logger;
  pollMs: number;
  signingKeys: SigningKeys;
}) {
  const { db, appleWallet, googleWallet, publicUrl, logger, pollMs, signingKeys } = options;
  if (!appleWallet && !googleWallet) return { stop: async () => {} };
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  // Each step on its own: one failing (a database hiccup) does not hold up the others.
  const step = (what: string, run: () => Promise<unknown>) =>
    run().catch((err) => logger.warn({ err }, `${what} failed`));
  const work = async () => {
    await step('Wallet fan-out', async () => {
      for (let batch = 0; batch < FANOUT_BATCHES_PER_TICK && !stopped; batch++) {
        if ((await fanOutBatch(db)) === undefined) break;
      }
    });
    if (appleWallet) await step('Apple Wallet pushes', () => pushDue(db, appleWallet, logger));
    if (googleWallet) {
      await step('Google Wallet updates', () =>
        patchDue(db, googleWallet, publicUrl, logger, signingKeys),
      );
    }
  };
  const tick = () => {
    running = work().finally(() => {
      if (!stopped) timer = setTimeout(tick, pollMs);
    });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
