import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { databasePool } from './prepared';

// Named statements only matter on PostgreSQL: PGlite does not go through a `pg` pool.
const databaseUrl = inject('databaseUrl');

describe.skipIf(!databaseUrl)('databasePool', () => {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  afterAll(() => pool.end());

  it('prepares a statement whose text names it, once per connection, and leaves others alone', async () => {
    const wrapped = databasePool(pool, 0);
    const client = await wrapped.connect();
    try {
      const named = '/* statement: prepared_probe */ SELECT $1::int + 1 AS n';
      expect((await client.query<{ n: number }>(named, [1])).rows).toEqual([{ n: 2 }]);
      expect((await client.query<{ n: number }>(named, [41])).rows).toEqual([{ n: 42 }]);
      await client.query('SELECT $1::int AS unnamed', [1]);
      const { rows } = await client.query<{ name: string }>(
        'SELECT name FROM pg_prepared_statements ORDER BY name',
        [],
      );
      expect(rows.map((row) => row.name)).toEqual(['prepared_probe']);
      // The same connection comes back as the same wrapper, so Kysely keeps its state for it.
      client.release();
      expect(await wrapped.connect()).toBe(client);
    } finally {
      client.release();
    }
  });
});
