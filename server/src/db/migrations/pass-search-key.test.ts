import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { newPassRow, useDatabaseBefore } from '../../../../test/support/test-database';
import { newId } from '../../domain/ids';

// The migration that keeps each pass's name, its client's name and its code, folded, in
// `search_key`: it fills the column for the passes there are, and from then on the database
// keeps it as passes and clients change.

const database = useDatabaseBefore('2026-12-16-session-notify');

describe('2026-12-17-pass-search-key', () => {
  it('fills the key of every pass, and keeps it as passes and clients change', async () => {
    const { db } = database.handle;
    const [tenant] = database.tenants;
    const client = (name: string) => ({ id: newId('cli'), tenant_id: tenant, name });
    const [gomez, lee] = [client('Gómez Family'), client('Lee')];
    await db.insertInto('clients').values([gomez, lee]).execute();
    const held = newPassRow(tenant, {
      name: 'Zoë Ünal',
      code: 'ABCDEF123456',
      client_id: gomez.id,
    });
    const alone = newPassRow(tenant, { name: null, code: 'QWERTY987654' });
    await db.insertInto('passes').values([held, alone]).execute();

    await database.handle.migrate();

    const keys = async () => {
      const rows = await sql<{ id: string; search_key: string }>`
        SELECT id, search_key FROM passes WHERE id IN (${held.id}, ${alone.id})`.execute(db);
      return new Map(rows.rows.map((row) => [row.id, row.search_key]));
    };
    expect(await keys()).toEqual(
      new Map([
        [held.id, 'zoe unal\ngomez family\nabcdef123456'],
        [alone.id, '\n\nqwerty987654'],
      ]),
    );

    await sql`UPDATE clients SET name = 'Gómez-Ruiz' WHERE id = ${gomez.id}`.execute(db);
    await sql`UPDATE passes SET name = 'Ana', client_id = ${lee.id} WHERE id = ${alone.id}`.execute(
      db,
    );
    expect(await keys()).toEqual(
      new Map([
        [held.id, 'zoe unal\ngomez-ruiz\nabcdef123456'],
        [alone.id, 'ana\nlee\nqwerty987654'],
      ]),
    );
    const added = newPassRow(tenant, { name: 'Åsa', code: 'ZZZZZZ000000', client_id: lee.id });
    await db.insertInto('passes').values(added).execute();
    const row = await sql<{ search_key: string }>`
      SELECT search_key FROM passes WHERE id = ${added.id}`.execute(db);
    expect(row.rows[0]?.search_key).toBe('asa\nlee\nzzzzzz000000');
  });
});
