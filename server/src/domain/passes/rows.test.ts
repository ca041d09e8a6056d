import { describe, expect, it } from 'vitest';
import { newPassRow, useTestDatabase } from '../../../../test/support/test-database';
import { codeTypedAs } from './rows';

const database = useTestDatabase();

describe('codeTypedAs', () => {
  it("finds the tenant's one pass whose code it is but for case, and none when two are alike", async () => {
    const { db } = database.handle;
    await db
      .insertInto('passes')
      .values(
        ['ospeXZ3ppsrC', 'twinCODEabcd', 'TWINcodeABCD'].map((code) =>
          newPassRow(database.tenantId, { code }),
        ),
      )
      .execute();
    expect(await codeTypedAs(db, database.tenantId, 'OSPEXZ3PPSRC')).toBe('ospeXZ3ppsrC');
    expect(await codeTypedAs(db, database.tenantId, 'ospexz3ppsrc')).toBe('ospeXZ3ppsrC');
    expect(await codeTypedAs(db, database.tenantId, 'twincodeabcd')).toBeUndefined();
    expect(await codeTypedAs(db, database.tenantId, 'NOSUCHCODE23')).toBeUndefined();
    expect(await codeTypedAs(db, 'ten_someoneelse00000000', 'OSPEXZ3PPSRC')).toBeUndefined();
  });
});
