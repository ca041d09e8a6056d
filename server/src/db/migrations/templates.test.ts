import { describe, expect, it } from 'vitest';
import { newPassRow, useDatabaseBefore } from '../../../../test/support/test-database';

// The migration that makes templates of the free-text `templateId`s passes were given: each
// distinct value of a tenant becomes a template of that id, and every pass keeps its value.

const database = useDatabaseBefore('2026-12-08-door-presence');

describe('2026-12-09-templates', () => {
  it('makes a template of each free-text templateId of a tenant, and keeps every pass in its own', async () => {
    const { handle } = database;
    const { db } = handle;
    const [tenant, other] = database.tenants;
    const passes = [
      newPassRow(tenant, { template_id: 'gold', created_at: new Date('2026-03-01T00:00:00Z') }),
      newPassRow(tenant, { template_id: 'gold', created_at: new Date('2026-02-01T00:00:00Z') }),
      newPassRow(tenant, { template_id: null }),
      newPassRow(other, { template_id: 'gold' }),
    ];
    await db.insertInto('passes').values(passes).execute();

    await handle.migrate();

    const templates = await db
      .selectFrom('templates')
      .select(['tenant_id', 'id', 'name', 'layout', 'is_default', 'created_at'])
      .where('tenant_id', 'in', [tenant, other])
      .orderBy('tenant_id')
      .execute();
    expect(templates).toEqual(
      expect.arrayContaining([
        {
          tenant_id: tenant,
          id: 'gold',
          name: 'gold',
          layout: expect.objectContaining({ primary: ['name'] }),
          is_default: false,
          created_at: new Date('2026-02-01T00:00:00Z'),
        },
        expect.objectContaining({ tenant_id: other, id: 'gold' }),
      ]),
    );
    expect(templates).toHaveLength(2);
    const kept = await db
      .selectFrom('passes')
      .select(['id', 'template_id'])
      .where('tenant_id', 'in', [tenant, other])
      .execute();
    expect(new Map(kept.map((row) => [row.id, row.template_id]))).toEqual(
      new Map(passes.map((pass) => [pass.id, pass.template_id])),
    );
    // From now on the database keeps a pass in a template of its own tenant.
    await expect(
      db
        .insertInto('passes')
        .values(newPassRow(tenant, { template_id: 'nothing' }))
        .execute(),
    ).rejects.toThrow(/passes_template/);
  });
});
