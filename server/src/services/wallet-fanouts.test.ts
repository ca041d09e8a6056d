import { beforeAll, describe, expect, it } from 'vitest';
import { newPassRow, useDatabaseBefore } from '../../../test/support/test-database';
import { fanOutBatch } from './wallet-fanouts';

// A template or location edit reaches the wallet copies of every pass that wears it, a batch at
// a time (here two passes a batch), on a database of its own so that no server's worker takes
// the fan-outs first.

const database = useDatabaseBefore('2026-12-11-wallet-pushes');
const BATCH = 2;

const template = (tenant: string, id: string, isDefault = false) => ({
  tenant_id: tenant,
  id,
  name: id,
  organization_name: 'Org',
  description: id,
  background_color: '#ffffff',
  foreground_color: '#000000',
  label_color: '#333333',
  layout: '{"primary":["name"],"secondary":[],"auxiliary":[],"back":[]}',
  is_default: isDefault,
  updated_at: new Date(),
});

let ids: Record<'spring' | 'plain' | 'other' | 'placed' | 'unheld', string[]>;

beforeAll(async () => {
  const { db } = database.handle;
  await database.handle.migrate();
  const [tenant, quiet] = database.tenants;
  await db
    .insertInto('templates')
    .values([
      template(tenant, 'spring'),
      template(tenant, 'house', true),
      template(tenant, 'autumn'),
      template(quiet, 'quiet'),
    ])
    .execute();
  await db
    .insertInto('locations')
    .values({
      tenant_id: tenant,
      id: 'hall',
      name: 'Hall',
      address: null,
      latitude: null,
      longitude: null,
      capacity: null,
      archived_at: null,
    })
    .execute();
  const make = (count: number, template_id: string | null, location_id: string | null = null) =>
    Array.from({ length: count }, () => newPassRow(tenant, { template_id, location_id }));
  const rows = {
    spring: make(5, 'spring'),
    plain: make(3, null),
    other: make(2, 'autumn'),
    placed: make(3, 'autumn', 'hall'),
    unheld: make(2, 'spring'),
  };
  await db.insertInto('passes').values(Object.values(rows).flat()).execute();
  ids = Object.fromEntries(
    Object.entries(rows).map(([kind, list]) => [kind, list.map((row) => row.id)]),
  ) as typeof ids;
  // Every pass but the unheld is in a wallet: Apple (a phone), Google, or both.
  const held = [...ids.spring, ...ids.plain, ...ids.other, ...ids.placed];
  await db
    .insertInto('wallet_registrations')
    .values(
      held
        .filter((_, i) => i % 3 !== 2)
        .map((pass_id) => ({
          tenant_id: tenant,
          pass_id,
          device_library_id: `phone-${pass_id}`,
          push_token: `token-${pass_id}`,
          updated_at: new Date(),
        })),
    )
    .execute();
  await db
    .insertInto('google_wallet_objects')
    .values(held.filter((_, i) => i % 3 !== 0).map((pass_id) => ({ pass_id, tenant_id: tenant })))
    .execute();
});

/** Runs batches until none is due: the passes each reached. */
async function drain() {
  const { db } = database.handle;
  const batches: number[] = [];
  for (;;) {
    const reached = await fanOutBatch(db, { batch: BATCH });
    if (reached === undefined) return batches;
    batches.push(reached);
  }
}

/** The passes whose wallet copies are owed an update: Apple pushes and Google PATCHes. */
async function owed() {
  const { db } = database.handle;
  const pushes = await db.selectFrom('wallet_pushes').select('pass_id').execute();
  const google = await db
    .selectFrom('google_wallet_objects')
    .select('pass_id')
    .where('due_at', 'is not', null)
    .execute();
  const changed = await db
    .selectFrom('wallet_registrations')
    .select('pass_id')
    .where('changed_at', 'is not', null)
    .execute();
  await db.deleteFrom('wallet_pushes').execute();
  await db.updateTable('google_wallet_objects').set({ due_at: null }).execute();
  await db.updateTable('wallet_registrations').set({ changed_at: null }).execute();
  return new Set([...pushes, ...google, ...changed].map((row) => row.pass_id));
}

const sorted = (values: Iterable<string>) => [...values].sort();

describe('wallet fan-outs', () => {
  it('carry a template edit to every held pass wearing it, two a batch, and no further', async () => {
    const { db } = database.handle;
    await db
      .updateTable('templates')
      .set({ updated_at: new Date() })
      .where('id', '=', 'spring')
      .execute();
    expect(await drain()).toEqual([2, 2, 1]);
    expect(sorted(await owed())).toEqual(sorted(ids.spring));
    expect(await db.selectFrom('wallet_fanouts').selectAll().execute()).toEqual([]);
  });

  it('carry the default template to the passes without a template of their own', async () => {
    const { db } = database.handle;
    await db
      .updateTable('templates')
      .set({ updated_at: new Date() })
      .where('id', '=', 'house')
      .execute();
    await drain();
    expect(sorted(await owed())).toEqual(sorted(ids.plain));
    // Another template becomes the default: the plain passes wear it now.
    await db
      .updateTable('templates')
      .set({ is_default: false })
      .where('id', '=', 'house')
      .execute();
    await db
      .updateTable('templates')
      .set({ is_default: true })
      .where('id', '=', 'autumn')
      .execute();
    await drain();
    expect(sorted(await owed())).toEqual(sorted([...ids.plain, ...ids.other, ...ids.placed]));
  });

  it('carry what a wallet shows of a location, and not its capacity', async () => {
    const { db } = database.handle;
    await db.updateTable('locations').set({ capacity: 10 }).where('id', '=', 'hall').execute();
    expect(await drain()).toEqual([]);
    await db
      .updateTable('locations')
      .set({ name: 'Great hall' })
      .where('id', '=', 'hall')
      .execute();
    await drain();
    expect(sorted(await owed())).toEqual(sorted(ids.placed));
  });

  it('start again when an edit comes mid-way, and arm none for a tenant with no wallets', async () => {
    const { db } = database.handle;
    const touch = () =>
      db
        .updateTable('templates')
        .set({ updated_at: new Date() })
        .where('id', '=', 'spring')
        .execute();
    await touch();
    expect(await fanOutBatch(db, { batch: BATCH })).toBe(2);
    await touch();
    const [fanout] = await db.selectFrom('wallet_fanouts').selectAll().execute();
    expect(fanout?.after_pass_id).toBe('');
    expect(await drain()).toEqual([2, 2, 1]);
    await owed();
    await db
      .updateTable('templates')
      .set({ updated_at: new Date() })
      .where('id', '=', 'quiet')
      .execute();
    expect(await db.selectFrom('wallet_fanouts').selectAll().execute()).toEqual([]);
  });
});
