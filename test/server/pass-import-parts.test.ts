import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { migratedDataDir } from '../support/data-dir';
import { createFreshDatabase } from '../support/database';
import { serversOfThisFile } from '../support/servers-of-a-file';
import { createTenant, http, postGuests, type TestTenant } from '../support/tenant';

// A CSV import is accepted whole, then written a part a transaction (ADR 8): a door's scan waits
// for one part, not for the file, and a server that stops half way finishes the import when it
// starts again, each pass written once.

const databaseUrl = inject('databaseUrl');
const server = serversOfThisFile();

const ROWS = 10_000;

/** The tenant's passes as `X-Total-Count` has them: exact up to 10,000, as here. */
async function passCount(url: string, owner: TestTenant) {
  const res = await http(`${url}/api/v1/passes?limit=1`, { key: owner.apiKey });
  expect(res.status).toBe(200);
  return Number(res.headers.get('x-total-count'));
}

describe('a CSV import written in parts', () => {
  it('answers a door’s scan while the import is half written', async () => {
    const where = databaseUrl ? { databaseUrl } : { dataDir: migratedDataDir() };
    const running = await server(where);
    const owner = await createTenant({ server: running });
    const pass = await owner.client.passes.create({ type: 'multi' });
    if (!pass.ok) throw new Error(pass.error);

    let imported = false;
    const importing = postGuests(owner, ROWS).finally(() => {
      imported = true;
    });
    // Half written on both sides of a scan's answer: some of the import's passes before the
    // scan was sent, not all of them once it was answered. One transaction for the whole file
    // would show either none or all.
    let answeredMidway = false;
    while (!imported && !answeredMidway) {
      const before = await passCount(running.url, owner);
      const scan = await http(`${running.url}/api/v1/scan`, {
        key: owner.apiKey,
        json: { code: pass.data.code },
      });
      expect(scan.status).toBe(200);
      expect(scan.body.result).toBe('success');
      const after = await passCount(running.url, owner);
      answeredMidway = before > 1 && after < ROWS + 1;
    }
    expect(answeredMidway).toBe(true);
    const answer = await importing;
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ rows: ROWS, created: ROWS, problems: [] });
    expect(await passCount(running.url, owner)).toBe(ROWS + 1);
  });

  it('keeps what an accepted import has still to write within the plan: no create takes it', async () => {
    const where = databaseUrl ? { databaseUrl } : { dataDir: migratedDataDir() };
    const running = await server(where);
    // Room for the import and one pass more.
    const owner = await createTenant({ server: running, maxPasses: ROWS + 1 });
    let imported = false;
    const importing = postGuests(owner, ROWS).finally(() => {
      imported = true;
    });
    // Passes asked for one after another while the import is written, each answered while it
    // was half written: only the one the plan has room for is made.
    const answered: number[] = [];
    let midway = 0;
    while (!imported) {
      const before = await passCount(running.url, owner);
      const made = await http(`${running.url}/api/v1/passes`, {
        key: owner.apiKey,
        json: { type: 'single', name: 'Beside the import' },
      });
      answered.push(made.status);
      const after = await passCount(running.url, owner);
      if (before > 0 && after < ROWS) midway++;
    }
    expect(midway).toBeGreaterThanOrEqual(2);
    expect(answered.filter((status) => status === 201)).toHaveLength(1);
    expect(answered.filter((status) => status !== 201).every((status) => status === 403)).toBe(
      true,
    );
    expect((await importing).status).toBe(200);
    // Past 10,000 the list's count is an estimate; the plan's count is exact.
    const account = await http(`${running.url}/api/v1/account`, { key: owner.apiKey });
    expect(account.body.passes).toEqual({ count: ROWS + 1, limit: ROWS + 1 });
  });

  it('is finished, each pass once, by the server that starts after one killed half way', async () => {
    const where = databaseUrl ? { databaseUrl } : { dataDir: migratedDataDir() };
    const first = await server(where);
    const owner = await createTenant({ server: first });
    const importing = postGuests(owner, ROWS).then(
      (answer) => answer.status,
      () => 'cut off',
    );
    await expect
      .poll(() => passCount(first.url, owner), { timeout: 60_000, interval: 20 })
      .toBeGreaterThan(0);
    await first.kill();
    expect(await importing).toBe('cut off');

    const second = await server(where);
    // What was accepted counts whole against the plan from the start, written or not.
    const account = await http(`${second.url}/api/v1/account`, { key: owner.apiKey });
    expect(account.body.passes.count).toBe(ROWS);
    await expect
      .poll(() => passCount(second.url, owner), { timeout: 60_000, interval: 200 })
      .toBe(ROWS);
    // On PostgreSQL, any server of the database may be the one that finishes it.
    if (!databaseUrl) {
      expect(second.logs.join('\n')).toContain('finishing an import a stopped server left');
    }

    const exported = await http(`${second.url}/api/v1/passes/export`, { key: owner.apiKey });
    const names = exported.text
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => /Guest \d+/.exec(line)?.[0]);
    expect(names).toHaveLength(ROWS);
    expect(new Set(names)).toEqual(
      new Set(Array.from({ length: ROWS }, (_, i) => `Guest ${i + 1}`)),
    );
  });

  it.runIf(databaseUrl)(
    'says an accepted import is left to the server, not to be sent again, when the database fails under it',
    async () => {
      // A database of its own: what is ended in it is this server's alone.
      const database = await createFreshDatabase(databaseUrl as string, 'passgate_import');
      const running = await server({ databaseUrl: database.url });
      const owner = await createTenant({ server: running });
      const importing = postGuests(owner, ROWS);
      await expect
        .poll(() => passCount(running.url, owner), { timeout: 60_000, interval: 20 })
        .toBeGreaterThan(0);
      // The connection writing the import's parts dies, as one does when PostgreSQL restarts.
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      let answer: Awaited<typeof importing> | undefined;
      void importing.then((settled) => {
        answer = settled;
      });
      try {
        while (!answer) {
          await admin.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid()
                AND query ~ '^(select "tenant_id", "written"|insert into "(passes|events)")'`,
          );
          await new Promise(setImmediate);
        }
      } finally {
        await admin.end();
      }
      const refused = await importing;
      expect(refused.status).toBe(503);
      expect(refused.body.error).toContain('Do not send the file again');
      expect(refused.headers.get('retry-after')).toBeNull();
      // Its lease runs out, and a server finishes it: every pass once.
      await expect
        .poll(() => passCount(running.url, owner), { timeout: 60_000, interval: 200 })
        .toBe(ROWS);
      const account = await http(`${running.url}/api/v1/account`, { key: owner.apiKey });
      expect(account.body.passes.count).toBe(ROWS);
      await running.stop();
      await database.drop();
    },
    90_000,
  );
});
