import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { sha256 } from '../../domain/ids';
import { insertDevice, PAIRING_TTL_MS, redeemPairing, startPairing } from './queries';

const database = useTestDatabase();

describe('pairing tokens', () => {
  it('keep only their hash, work until 24 hours have passed, and once', async () => {
    const { db } = database.handle;
    const made = new Date('2030-01-01T00:00:00Z');
    const { token } = await db.transaction().execute(async (trx) => {
      const device = await insertDevice(trx, database.tenantId, { name: 'Door' }, made);
      return startPairing(trx, device.id, made);
    });
    const stored = await db.selectFrom('device_pairings').selectAll().execute();
    expect(stored.map((row) => row.token_hash)).toContain(sha256(token));
    expect(JSON.stringify(stored)).not.toContain(token);

    const late = new Date(made.getTime() + PAIRING_TTL_MS + 1);
    const expired = await db.transaction().execute((trx) => redeemPairing(trx, token, late));
    expect(expired).toEqual({ ok: false, failure: 'expired' });
    const inTime = new Date(made.getTime() + PAIRING_TTL_MS - 1);
    const paired = await db.transaction().execute((trx) => redeemPairing(trx, token, inTime));
    expect(paired.ok).toBe(true);
    const again = await db.transaction().execute((trx) => redeemPairing(trx, token, inTime));
    expect(again).toEqual({ ok: false, failure: 'used' });
  });
});
