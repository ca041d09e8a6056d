import {
  admit,
  evaluateScan,
  reportedStatus,
  type ScannablePass,
  unadmit,
} from '@passgate/shared/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryPass, RULE_NOW } from '../../../test/support/arbitrary-pass';

const NOW = RULE_NOW;

describe('evaluateScan', () => {
  it('checks revoked, already_used, not_yet_valid, expired, max_usages_reached in that order', () => {
    fc.assert(
      fc.property(arbitraryPass, (pass) => {
        const result = evaluateScan(pass, NOW);
        const reasons = [
          pass.status === 'revoked' && 'revoked',
          pass.status === 'used' && 'already_used',
          pass.validFrom !== null && NOW < pass.validFrom && 'not_yet_valid',
          pass.validUntil !== null && NOW > pass.validUntil && 'expired',
          pass.type === 'multi' &&
            pass.maxUsages !== null &&
            pass.usagesCount >= pass.maxUsages &&
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
          usagesCount: 0,
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
        if (pass.type === 'multi' && pass.maxUsages !== null)
          expect(admitted).toBeLessThanOrEqual(pass.maxUsages);
        expect(pass.usagesCount).toBe(admitted);
      }),
    );
  });

  it('treats validFrom and validUntil as inclusive bounds', () => {
    const pass: ScannablePass = {
      type: 'single',
      status: 'active',
      usagesCount: 0,
      maxUsages: null,
      locationId: null,
      validFrom: NOW,
      validUntil: NOW,
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
        expect(after.usagesCount).toBe(Math.max(0, pass.usagesCount - 1));
        if (pass.status === 'revoked') expect(after.status).toBe('revoked');
      }),
    );
  });
});
