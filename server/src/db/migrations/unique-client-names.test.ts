import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { newPassRow, useDatabaseBefore } from '../../../../test/support/test-database';
import { newId } from '../../domain/ids';

// The migration that makes client names unique per tenant, whatever their case and accents,
// run on a database holding clients that are one name written three ways.

const database = useDatabaseBefore('2026-12-06-typed-codes');

describe('2026-12-06-unique-client-names', () => {
  it('merges clients whose names fold alike into the oldest, with events, then refuses another', async () => {
    const { handle } = database;
    const { db } = handle;
    const [tenant, other] = database.tenants;
    const client = (tenantId: string, name: string, at: string, extra = {}) => ({
      id: newId('cli'),
      tenant_id: tenantId,
      name,
      email: null,
      phone: null,
      notes: null,
      created_at: new Date(at),
      ...extra,
    });
    const oldest = client(tenant, 'Gómez Family', '2026-01-01T00:00:00Z', { phone: '111' });
    const lower = client(tenant, 'gomez family', '2026-01-02T00:00:00Z', {
      email: 'g@example.com',
      notes: 'from the second',
      phone: '222',
    });
    const shouting = client(tenant, 'GÓMEZ FAMILY', '2026-01-03T00:00:00Z', {
      email: 'later@example.com',
    });
    const alone = client(tenant, 'Ana', '2026-01-01T00:00:00Z');
    const elsewhere = client(other, 'gomez family', '2026-01-01T00:00:00Z');
    const clients = [oldest, lower, shouting, alone, elsewhere];
    await db.insertInto('clients').values(clients).execute();
    const passes = [lower, lower, shouting, alone].map((owner) =>
      newPassRow(tenant, { client_id: owner.id }),
    );
    await db.insertInto('passes').values(passes).execute();

    await handle.migrate();

    const left = await db
      .selectFrom('clients')
      .selectAll()
      .where('tenant_id', 'in', [tenant, other])
      .execute();
    expect(new Map(left.map((row) => [row.id, row.name_key]))).toEqual(
      new Map([
        [oldest.id, 'gomez family'],
        [alone.id, 'ana'],
        [elsewhere.id, 'gomez family'],
      ]),
    );
    expect(left.find((row) => row.id === oldest.id)).toMatchObject({
      email: 'g@example.com',
      phone: '111',
      notes: 'from the second',
    });
    const owners = await db
      .selectFrom('passes')
      .select(['id', 'client_id'])
      .where('tenant_id', '=', tenant)
      .execute();
    expect(new Map(owners.map((row) => [row.id, row.client_id]))).toEqual(
      new Map(passes.map((pass, i) => [pass.id, i === 3 ? alone.id : oldest.id])),
    );
    const events = await db
      .selectFrom('events')
      .select(['type', 'subject_id', 'data'])
      .where('tenant_id', 'in', [tenant, other])
      .orderBy('created_at')
      .execute();
    expect(events.map((event) => [event.type, event.subject_id, event.data])).toEqual([
      [
        'client.merged',
        oldest.id,
        expect.objectContaining({ mergedId: lower.id, mergedName: 'gomez family', passesMoved: 2 }),
      ],
      [
        'client.merged',
        oldest.id,
        expect.objectContaining({
          mergedId: shouting.id,
          mergedName: 'GÓMEZ FAMILY',
          passesMoved: 1,
          email: 'g@example.com',
        }),
      ],
    ]);
    await expect(
      db
        .insertInto('clients')
        .values(client(tenant, 'GOMEZ family', '2026-02-01'))
        .execute(),
    ).rejects.toMatchObject({ code: '23505' });
    // A lookup by folded name reads the index (were the table large enough to want it).
    const plan = await db.transaction().execute(async (trx) => {
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      return sql<{ 'QUERY PLAN': string }>`EXPLAIN SELECT id FROM clients
        WHERE tenant_id = ${tenant} AND name_key = 'ana'`.execute(trx);
    });
    expect(plan.rows.map((row) => row['QUERY PLAN']).join('\n')).toMatch(/clients_tenant_name_key/);
  });
});
