import {
  decideScan,
  presenceLocation,
  type ScanDirection,
  type ScannablePass,
} from '@passgate/shared/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  arbitraryPass,
  RULE_LOCATIONS,
  RULE_NOW,
  RULE_REENTRY,
} from '../../../../test/support/arbitrary-pass';
import { newPassRow, useTestDatabase } from '../../../../test/support/test-database';
import { newId } from '../ids';
import { ruleColumnsOf } from '../passes/present';
import { scanPasses } from './statement';

// A door that is offline decides with `decideScan` on its copy of the pass; online, the server's
// scan statement decides in SQL. Both must give the same verdicts, and leave the pass in the same
// state, for any pass and any sequence of scans at any instants, places and directions. The door
// keeps the pass's presence from its own scans, as the server keeps it in `presence`.
const database = useTestDatabase();

const BASE = RULE_NOW.getTime();
/** Instants of the scans, around the validity bounds `arbitraryPass` draws (a few days). */
const scans = fc.array(
  fc.record({
    at: fc.integer({ min: -5 * 86_400, max: 5 * 86_400 }).map((s) => new Date(BASE + s * 1000)),
    locationId: fc.constantFrom(null, ...RULE_LOCATIONS),
    direction: fc.constantFrom<ScanDirection>('entry', 'exit'),
  }),
  { minLength: 1, maxLength: 8 },
);

describe("the door's offline decision", () => {
  it('agrees with the scan statement on random passes and sequences of scans', async () => {
    const cases = fc.sample(fc.tuple(arbitraryPass, scans), 120);
    const rows = cases.map(([pass]) => newPassRow(database.tenantId, ruleColumnsOf(pass)));
    await database.handle.db.insertInto('passes').values(rows).execute();
    for (const [i, [pass, sequence]] of cases.entries()) {
      const row = rows[i]!;
      let local: ScannablePass = pass;
      const inside = new Map<string, boolean>();
      for (const { at, locationId, direction } of sequence.sort(
        (a, b) => a.at.getTime() - b.at.getTime(),
      )) {
        const countsAt = presenceLocation(local, {
          locationId,
          direction,
          inside: null,
          reentry: false,
        });
        const place = {
          locationId,
          direction,
          inside: countsAt === null ? null : (inside.get(countsAt) ?? null),
          reentry: countsAt === null ? false : (RULE_REENTRY[countsAt] ?? false),
        };
        const decided = decideScan(local, at, place);
        local = decided.pass;
        if (countsAt !== null && decided.inside !== null) inside.set(countsAt, decided.inside);
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
              locationId,
              direction,
              scanId: newId('scan'),
            },
          ],
          at,
          'http://localhost',
        );
        const server = [...answers.values()][0]!;
        const context = JSON.stringify({ pass, sequence, at, place });
        expect(server.result, context).toBe(decided.result);
        expect({ status: server.status, usagesCount: server.usages_count }, context).toEqual({
          status: local.status,
          usagesCount: local.usagesCount,
        });
      }
    }
  });
});
