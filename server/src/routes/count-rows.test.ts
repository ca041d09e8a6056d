import { describe, expect, it } from 'vitest';
import { newPassRow, useTestDatabase } from '../../../test/support/test-database';
import { newId } from '../domain/ids';
import { selectPasses } from '../domain/passes/rows';
import { countRows, EXACT_COUNT_UP_TO } from './support';

const database = useTestDatabase();

/** Adds `count` passes to a new tenant; its id. */
async function tenantWith(count: number) {
  const { db } = database.handle;
  const tenantId = newId('tenant');
  await db
    .insertInto('tenants')
    .values({ id: tenantId, name: 'count', plan: 'pro', max_passes: null })
    .execute();
  for (let from = 0; from < count; from += 2000) {
    const rows = Array.from({ length: Math.min(2000, count - from) }, () =>
      newPassRow(tenantId, { type: 'single' as const }),
    );
    await db.insertInto('passes').values(rows).execute();
  }
  return tenantId;
}

describe('how many rows a list has (X-Total-Count)', () => {
  it('is exact up to the bound, and beyond it an estimate said to be one, never under the bound', async () => {
    const { db } = database.handle;
    const exact = await tenantWith(EXACT_COUNT_UP_TO);
    expect(await countRows(db, selectPasses(db, exact))).toEqual({
      total: EXACT_COUNT_UP_TO,
      estimated: false,
    });
    const beyond = await tenantWith(EXACT_COUNT_UP_TO + 2_000);
    const counted = await countRows(db, selectPasses(db, beyond));
    expect(counted.estimated).toBe(true);
    expect(counted.total).toBeGreaterThan(EXACT_COUNT_UP_TO);
    // A filter that leaves few is exact again.
    const few = selectPasses(db, beyond).where('passes.type', '=', 'multi');
    expect(await countRows(db, few)).toEqual({ total: 0, estimated: false });
  });
});
