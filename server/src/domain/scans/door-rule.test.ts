import { decideScan, type ScannablePass } from '@passgate/shared/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryPass, RULE_NOW } from '../../../../test/support/arbitrary-pass';
import { newPassRow, useTestDatabase } from '../../../../test/support/test-database';
import { newId } from '../ids';
import { ruleColumnsOf } from '../passes/present';
import { scanPasses } from './statement';

// A door that is offline decides with `decideScan` on its copy of the pass; online, the server's
// scan statement decides in SQL. Both must give the same verdicts, and leave the pass in the same
// state, for any pass and any sequence of scans at any instants.
const database = useTestDatabase();

const BASE = RULE_NOW.getTime();
/** Instants of the scans, around the validity bounds `arbitraryPass` draws (a few days). */
const scanTimes = fc.array(
  fc.integer({ min: -5 * 86_400, max: 5 * 86_400 }).map((s) => new Date(BASE + s * 1000)),
  { minLength: 1, maxLength: 6 },
);

describe("the door's offline decision", () => {
  it('agrees with the scan statement on random passes and sequences of scans', async () => {
    const cases = fc.sample(fc.tuple(arbitraryPass, scanTimes), 120);
    const rows = cases.map(([pass]) => newPassRow(database.tenantId, ruleColumnsOf(pass)));
    await database.handle.db.insertInto('passes').values(rows).execute();
    for (const [i, [pass, times]] of cases.entries()) {
      const row = rows[i]!;
      let local: ScannablePass = pass;
      for (const at of times.sort((a, b) => a.getTime() - b.getTime())) {
        const decided = decideScan(local, at);
        local = decided.pass;
        const answers = await scanPasses(
          database.handle.db,
          [
            {
              tenantId: database.tenantId,
              apiKeyId: database.apiKeyId,
              code: row.code,
              device: null,
              deviceId: null,
              idempotencyKey: null,
              scanId: newId('scan'),
            },
          ],
          at,
          'http://localhost',
        );
        const server = [...answers.values()][0]!;
        const context = JSON.stringify({ pass, at });
        expect(server.result, context).toBe(decided.result);
        expect({ status: server.status, usagesCount: server.usages_count }, context).toEqual({
          status: local.status,
          usagesCount: local.usagesCount,
        });
      }
    }
  });
});
