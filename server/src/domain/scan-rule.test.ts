import {
  admit,
  evaluateScan,
  reportedStatus,
  type ScannablePass,
  unadmit,
} from '@passgate/shared/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const NOW = new Date('2030-06-15T12:00:00Z');
const around = fc.option(
  fc.integer({ min: -3, max: 3 }).map((days) => new Date(NOW.getTime() + days * 86_400_000)),
  { nil: null },
);

export const arbitraryPass: fc.Arbitrary<ScannablePass> = fc.record({
  type: fc.constantFrom('single' as const, 'multi' as const),
  status: fc.constantFrom('active' as const, 'used' as const, 'revoked' as const),
  usages_count: fc.integer({ min: 0, max: 6 }),
  max_usages: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
  valid_from: around,
  valid_until: around,
});

describe('evaluateScan', () => {
  it('checks revoked, already_used, not_yet_valid, expired, max_usages_reached in that order', () => {
    fc.assert(
      fc.property(arbitraryPass, (pass) => {
        const result = evaluateScan(pass, NOW);
        const reasons = [
          pass.status === 'revoked' && 'revoked',
          pass.status === 'used' && 'already_used',
          pass.valid_from !== null && NOW < pass.valid_from && 'not_yet_valid',
          pass.valid_until !== null && NOW > pass.valid_until && 'expired',
          pass.type === 'multi' &&
            pass.max_usages !== null &&
            pass.usages_count >= pass.max_usages &&
            'max_usages_reached',
        ].filter(Boolean);
        expect(result).toBe(reasons[0] ?? 'success');
      }),
    );
  });

  it('never admits a single pass twice, and a multi pass at most maxUsages times', () => {
    fc.assert(
      fc.property(arbitraryPass, fc.integer({ min: 1, max: 12 }), (start, attempts) => {
        let pass = {
          ...start,
          usages_count: 0,
          status: start.status === 'used' ? ('active' as const) : start.status,
        };
        let admitted = 0;
        for (let i = 0; i < attempts; i++) {
          if (evaluateScan(pass, NOW) === 'success') {
            pass = admit(pass);
            admitted++;
          }
        }
        if (pass.type === 'single') expect(admitted).toBeLessThanOrEqual(1);
        if (pass.type === 'multi' && pass.max_usages !== null)
          expect(admitted).toBeLessThanOrEqual(pass.max_usages);
        expect(pass.usages_count).toBe(admitted);
      }),
    );
  });

  it('treats validFrom and validUntil as inclusive bounds', () => {
    const pass: ScannablePass = {
      type: 'single',
      status: 'active',
      usages_count: 0,
      max_usages: null,
      valid_from: NOW,
      valid_until: NOW,
    };
    expect(evaluateScan(pass, NOW)).toBe('success');
    expect(evaluateScan(pass, new Date(NOW.getTime() + 1))).toBe('expired');
    expect(evaluateScan(pass, new Date(NOW.getTime() - 1))).toBe('not_yet_valid');
  });
});

describe('reportedStatus', () => {
  it('agrees with the scan rule: an admissible pass reads active, and only revoked passes read revoked', () => {
    fc.assert(
      fc.property(arbitraryPass, (pass) => {
        const status = reportedStatus(pass, NOW);
        if (evaluateScan(pass, NOW) === 'success') expect(status).toBe('active');
        expect(status === 'revoked').toBe(pass.status === 'revoked');
        if (evaluateScan(pass, NOW) === 'expired') expect(status).toBe('expired');
      }),
    );
  });
});

describe('unadmit', () => {
  it('undoes an admit: the pass is as it was before it', () => {
    fc.assert(
      fc.property(arbitraryPass, (pass) => {
        fc.pre(evaluateScan(pass, NOW) === 'success');
        expect(unadmit(admit(pass))).toEqual(pass);
      }),
    );
  });

  it('never counts below no use, and leaves a revoked pass revoked', () => {
    fc.assert(
      fc.property(arbitraryPass, (pass) => {
        const after = unadmit(pass);
        expect(after.usages_count).toBe(Math.max(0, pass.usages_count - 1));
        if (pass.status === 'revoked') expect(after.status).toBe('revoked');
      }),
    );
  });
});
