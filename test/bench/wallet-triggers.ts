import type pg from 'pg';
import { type LoadResult, median, runLoad } from './load';

// What the wallet triggers on `passes` (`passes_wallet_push` arms Apple pushes,
// `passes_google_wallet_update` marks the Google object owed) cost the scan's essential SQL: the
// floor's closed loop with the triggers off; on, with no pass in a wallet (what most scans
// meet); and on, with every pass held by a phone in Apple Wallet and saved to Google Wallet
// (each admit then arms a push and an update). The three take turns, round after round, on the
// same database and connections.

export interface WalletTriggersCost {
  off: number;
  on: number;
  held: number;
  rounds: { off: LoadResult; on: LoadResult; held: LoadResult }[];
}

export async function benchWalletTriggers(options: {
  pool: pg.Pool;
  tenantId: string;
  concurrency: number;
  durationMs: number;
  rounds: number;
  scan: (worker: number, i: number) => Promise<void>;
}): Promise<WalletTriggersCost> {
  const { pool, tenantId, concurrency, durationMs, scan } = options;
  const trigger = async (on: boolean) => {
    for (const name of ['passes_wallet_push', 'passes_google_wallet_update']) {
      await pool.query(`ALTER TABLE passes ${on ? 'ENABLE' : 'DISABLE'} TRIGGER ${name}`);
    }
  };
  const hold = async (held: boolean) => {
    if (!held) {
      await pool.query('DELETE FROM wallet_registrations WHERE tenant_id = $1', [tenantId]);
      await pool.query('DELETE FROM google_wallet_objects WHERE tenant_id = $1', [tenantId]);
      // The mark stays on a pass once held; the bench takes it off for the next round's "on".
      await pool.query('UPDATE passes SET in_wallet = false WHERE tenant_id = $1', [tenantId]);
      return;
    }
    await pool.query(
      `INSERT INTO wallet_registrations (tenant_id, pass_id, device_library_id, push_token, updated_at)
       SELECT tenant_id, id, 'bench-phone-' || id, 'bench-token', now() FROM passes WHERE tenant_id = $1`,
      [tenantId],
    );
    await pool.query(
      `INSERT INTO google_wallet_objects (pass_id, tenant_id)
       SELECT id, tenant_id FROM passes WHERE tenant_id = $1`,
      [tenantId],
    );
  };
  const rounds: WalletTriggersCost['rounds'] = [];
  try {
    for (let round = 0; round < options.rounds; round++) {
      await trigger(false);
      const off = await runLoad(concurrency, durationMs, scan);
      await trigger(true);
      const on = await runLoad(concurrency, durationMs, scan);
      await hold(true);
      const held = await runLoad(concurrency, durationMs, scan);
      await hold(false);
      rounds.push({ off, on, held });
    }
  } finally {
    await trigger(true);
    await hold(false);
  }
  return {
    off: median(rounds.map((r) => r.off.perSecond)),
    on: median(rounds.map((r) => r.on.perSecond)),
    held: median(rounds.map((r) => r.held.perSecond)),
    rounds,
  };
}

const rate = (perSecond: number) => `${perSecond.toFixed(0)}/s`;

/** The figure's lines, as `pnpm bench` prints them. */
export function describeWalletTriggers(cost: WalletTriggersCost): string[] {
  const share = (perSecond: number) => (perSecond / cost.off).toFixed(2);
  return [
    `The wallet triggers on the scan's SQL (floor, closed loop, median of ${cost.rounds.length} rounds): off ${rate(cost.off)}; on, no pass in a wallet ${rate(cost.on)} (${share(cost.on)} of off); on, every pass in both wallets ${rate(cost.held)} (${share(cost.held)} of off)`,
    `  each round off / on / held: ${cost.rounds.map((r) => [r.off, r.on, r.held].map((one) => one.perSecond.toFixed(0)).join(' / ')).join('; ')}`,
  ];
}
