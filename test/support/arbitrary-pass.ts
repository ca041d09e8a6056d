import type { ScannablePass } from '@passgate/shared/core';
import fc from 'fast-check';

/** The instant the property tests of the scan rule ask their questions at. */
export const RULE_NOW = new Date('2030-06-15T12:00:00Z');

const around = fc.option(
  fc.integer({ min: -3, max: 3 }).map((days) => new Date(RULE_NOW.getTime() + days * 86_400_000)),
  { nil: null },
);

/** Any pass as the scan rule sees it, with its validity a few days either side of `RULE_NOW`. */
export const arbitraryPass: fc.Arbitrary<ScannablePass> = fc.record({
  type: fc.constantFrom('single' as const, 'multi' as const),
  status: fc.constantFrom('active' as const, 'used' as const, 'revoked' as const),
  usagesCount: fc.integer({ min: 0, max: 6 }),
  maxUsages: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
  validFrom: around,
  validUntil: around,
});
