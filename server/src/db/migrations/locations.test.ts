import { describe, expect, it } from 'vitest';
import { newPassRow, useDatabaseBefore } from '../../../../test/support/test-database';

// The migration that makes locations of the free-text `locationId`s passes were given: each
// distinct value of a tenant becomes a location of that id, and every pass keeps its value.

const database = useDatabaseBefore('2026-12-06-unique-client-names');

describe('2026-12-07-locations', () => {
  it('makes a location of each free-text locationId of a tenant, and keeps every pass at its own', async () => {
    const { handle } = database;
    const { db } = handle;
    const [tenant, other] = database.tenants;
    const passes = [
      newPassRow(tenant, { location_id: 'hall-a', created_at: new Date('2026-03-01T00:00:00Z') }),
      newPassRow(tenant, { location_id: 'hall-a', created_at: new Date('2026-02-01T00:00:00Z') }),
      newPassRow(tenant, { location_id: 'VIP area' }),
      newPassRow(tenant, { location_id: null }),
      newPassRow(other, { location_id: 'hall-a' }),
    ];
    await db.insertInto('passes').values(passes).execute();

    await handle.migrate();

    const locations = await db
      .selectFrom('locations')
      .select(['tenant_id', 'id', 'name', 'timezone', 'reentry', 'created_at'])
      .where('tenant_id', 'in', [tenant, other])
      .execute();
    const key = (row: { tenant_id: string; id: string }) => `${row.tenant_id} ${row.id}`;
    expect(new Map(locations.map((row) => [key(row), row]))).toEqual(
      new Map([
        [
          `${tenant} hall-a`,
          {
            tenant_id: tenant,
            id: 'hall-a',
            name: 'hall-a',
            timezone: 'UTC',
            reentry: false,
            created_at: new Date('2026-02-01T00:00:00Z'),
          },
        ],
        [`${tenant} VIP area`, expect.objectContaining({ name: 'VIP area' })],
        [`${other} hall-a`, expect.objectContaining({ tenant_id: other, name: 'hall-a' })],
      ]),
    );
    const kept = await db
      .selectFrom('passes')
      .select(['id', 'location_id'])
      .where('tenant_id', 'in', [tenant, other])
      .execute();
    expect(new Map(kept.map((row) => [row.id, row.location_id]))).toEqual(
      new Map(passes.map((pass) => [pass.id, pass.location_id])),
    );
    // From now on the database keeps a pass at a location of its own tenant.
    await expect(
      db
        .insertInto('passes')
        .values(newPassRow(tenant, { location_id: 'nowhere' }))
        .execute(),
    ).rejects.toMatchObject({ code: '23503' });
  });
});
