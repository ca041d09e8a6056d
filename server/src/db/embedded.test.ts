import { CompiledQuery, sql } from 'kysely';
import { describe, expect, inject, it } from 'vitest';
import { newPassRow, useTestDatabase } from '../../../test/support/test-database';
import { tablesDue, upkeep } from '../services/embedded-upkeep';
import { inBackground } from './turns';

// The embedded database on its own thread: one connection lent to one query or transaction at a
// time, in the order asked; PostgreSQL's errors arrive whole; the thread answers a ping while a
// transaction holds the connection. And the upkeep that stands in for autovacuum.

const database = useTestDatabase();
const embedded = !inject('databaseUrl');

/** A promise and the function that settles it. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe.runIf(embedded)('the embedded database', () => {
  it('runs nothing inside another’s transaction, and answers in the order asked', async () => {
    const { db } = database.handle;
    const held = gate();
    const inserted = gate();
    const pass = newPassRow(database.tenantId, { name: 'In a transaction' });
    const order: string[] = [];
    const transaction = db.transaction().execute(async (trx) => {
      await trx.insertInto('passes').values(pass).execute();
      inserted.open();
      await held.opened;
      order.push('transaction');
      throw new Error('rolled back');
    });
    await inserted.opened;
    // Asked while the transaction holds the connection: it waits, then sees no pass, since the
    // transaction rolls back, and its own write survives the rollback.
    const reads = [1, 2, 3].map((n) =>
      db
        .selectFrom('passes')
        .select(sql<number>`count(*)::int`.as('count'))
        .where('id', '=', pass.id)
        .executeTakeFirstOrThrow()
        .then((row) => {
          order.push(`read ${n}`);
          return row.count;
        }),
    );
    const other = newPassRow(database.tenantId, { name: 'Beside it' });
    const write = db
      .insertInto('passes')
      .values(other)
      .execute()
      .then(() => order.push('write'));
    // The thread answers while the connection is held.
    await database.handle.ping();
    expect(order).toEqual([]);
    held.open();
    await expect(transaction).rejects.toThrow('rolled back');
    expect(await Promise.all(reads)).toEqual([0, 0, 0]);
    await write;
    expect(order).toEqual(['transaction', 'read 1', 'read 2', 'read 3', 'write']);
    const kept = await db.selectFrom('passes').select('id').where('id', '=', other.id).execute();
    expect(kept).toHaveLength(1);
  });

  it('gives the requests that queued during a background turn the next turns', async () => {
    const { db } = database.handle;
    const held = gate();
    const holding = gate();
    const order: string[] = [];
    const read = (name: string) =>
      sql`SELECT 1`.execute(db).then(() => {
        order.push(name);
      });
    const holder = db.transaction().execute(async (trx) => {
      await sql`SELECT 1`.execute(trx);
      holding.open();
      await held.opened;
    });
    await holding.opened;
    const asked: Promise<void>[] = [];
    for (const [name, background] of [
      ['background 1', true],
      ['background 2', true],
      ['request 1', false],
      ['background 3', true],
      ['request 2', false],
    ] as const) {
      asked.push(background ? inBackground(() => read(name)) : read(name));
      // Each has asked for the connection before the next asks.
      await new Promise(setImmediate);
    }
    held.open();
    await holder;
    await Promise.all(asked);
    // Background work waits its turn: the requests asked meanwhile go between its turns, and
    // in order among themselves.
    expect(order).toEqual([
      'background 1',
      'request 1',
      'request 2',
      'background 2',
      'background 3',
    ]);
  });

  it('gives PostgreSQL’s errors with their code and constraint', async () => {
    const { db } = database.handle;
    const pass = newPassRow(database.tenantId, {});
    await db.insertInto('passes').values(pass).execute();
    const error = await db
      .insertInto('passes')
      .values(pass)
      .execute()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: '23505', constraint: 'passes_pkey' });
  });

  it('prepares a statement whose text names it once, and answers it as it answers any other', async () => {
    const { db } = database.handle;
    const run = <R>(text: string, parameters: unknown[]) =>
      db.executeQuery<R>(CompiledQuery.raw(text, parameters)).then(({ rows }) => rows);
    const named =
      '/* statement: embedded_probe */ SELECT 1 / $1::int AS n, $2::timestamptz AS at, $3::text[] AS list';
    // Year 80 read back as year 80: the server's own timestamp parser, not `new Date(text)`.
    const at = new Date('0080-02-03T04:05:06.789Z');
    for (const divisor of [1, 2]) {
      expect(await run(named, [divisor, at, ['a', null]])).toEqual([
        { n: Math.trunc(1 / divisor), at, list: ['a', null] },
      ]);
    }
    const prepared = await run<{ name: string }>('SELECT name FROM pg_prepared_statements', []);
    expect(prepared.map((row) => row.name)).toContain('embedded_probe');
    // Its errors arrive whole, and the connection and the statement go on after one.
    await expect(run(named, [0, at, []])).rejects.toMatchObject({ code: '22012' });
    expect(await run(named, [1, null, null])).toEqual([{ n: 1, at: null, list: null }]);
    await expect(run('/* statement: embedded_typo */ SELEC 1', [])).rejects.toMatchObject({
      code: '42601',
    });
    // Inside a transaction, rolled back with it.
    const pass = newPassRow(database.tenantId, { name: 'Before' });
    await db.insertInto('passes').values(pass).execute();
    const rename = '/* statement: embedded_rename */ UPDATE passes SET name = $1 WHERE id = $2';
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.executeQuery(CompiledQuery.raw(rename, ['After', pass.id]));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await run('SELECT name FROM passes WHERE id = $1', [pass.id])).toEqual([
      { name: 'Before' },
    ]);
  });
});

describe.runIf(embedded)('the embedded upkeep', () => {
  it('analyzes a table that has grown, and leaves one that has not', async () => {
    const { db } = database.handle;
    await upkeep(db);
    const rows = Array.from({ length: 400 }, () => newPassRow(database.tenantId, {}));
    await db.insertInto('passes').values(rows).execute();
    await sql`SELECT pg_stat_force_next_flush()`.execute(db);
    const due = await tablesDue(db);
    expect(due.map((table) => table.table)).toContain('passes');
    expect(due.map((table) => table.table)).not.toContain('signing_keys');
    await upkeep(db);
    await sql`SELECT pg_stat_force_next_flush()`.execute(db);
    const after = await tablesDue(db);
    expect(after.map((table) => table.table)).not.toContain('passes');
    const { rows: stats } = await sql<{ reltuples: number }>`
      SELECT reltuples FROM pg_class WHERE oid = 'passes'::regclass`.execute(db);
    expect(stats[0]?.reltuples).toBeGreaterThanOrEqual(400);
  });
});
