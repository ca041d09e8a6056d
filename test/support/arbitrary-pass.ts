import type { ScannablePass, ScanPlace } from '@passgate/shared/core';
import fc from 'fast-check';

/** The instant the property tests of the scan rule ask their questions at. */
export const RULE_NOW = new Date('2030-06-15T12:00:00Z');

const around = fc.option(
  fc.integer({ min: -3, max: 3 }).map((days) => new Date(RULE_NOW.getTime() + days * 86_400_000)),
  { nil: null },
);

/** The locations the property tests' passes and scans are at: the test tenant has them. */
export const RULE_LOCATIONS = ['loc_rule_a', 'loc_rule_b'] as const;
/** Whether each lets a pass that went out back in without another use. */
export const RULE_REENTRY: Record<string, boolean> = { loc_rule_a: true, loc_rule_b: false };

/** Any place of a scan: at a location or none, either way, with any presence there. */
export const arbitraryPlace: fc.Arbitrary<ScanPlace> = fc.record({
  locationId: fc.constantFrom(null, ...RULE_LOCATIONS),
  direction: fc.constantFrom('entry' as const, 'exit' as const),
  inside: fc.constantFrom(null, true, false),
  reentry: fc.boolean(),
});

/** Any pass as the scan rule sees it, with its validity a few days either side of `RULE_NOW`. */
export const arbitraryPass: fc.Arbitrary<ScannablePass> = fc.record({
  type: fc.constantFrom('single' as const, 'multi' as const),
  status: fc.constantFrom('active' as const, 'used' as const, 'revoked' as const),
  usagesCount: fc.integer({ min: 0, max: 6 }),
  maxUsages: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
  validFrom: around,
  validUntil: around,
  locationId: fc.constantFrom(null, ...RULE_LOCATIONS),
});
