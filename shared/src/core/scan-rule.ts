import type { PassStatus, PassType, ScanResult, StoredPassStatus } from './codes';

/**
 * What the scan rule needs to know of a pass, named as the API names it (`SyncPass`, `Pass`), with
 * its validity as instants.
 */
export interface ScannablePass {
  type: PassType;
  status: StoredPassStatus;
  usagesCount: number;
  maxUsages: number | null;
  validFrom: Date | null;
  validUntil: Date | null;
}

/**
 * The scan rule, checked in this order. `scanResultSql` in the server's `domain/pass-sql.ts` is the same
 * rule in SQL, which the scan statement runs; a property test there holds them together.
 */
export function evaluateScan(pass: ScannablePass, now: Date): ScanResult {
  if (pass.status === 'revoked') return 'revoked';
  if (pass.status === 'used') return 'already_used';
  if (pass.validFrom !== null && now < pass.validFrom) return 'not_yet_valid';
  if (pass.validUntil !== null && now > pass.validUntil) return 'expired';
  if (isMultiPassExhausted(pass)) return 'max_usages_reached';
  return 'success';
}

export function isMultiPassExhausted(
  pass: Pick<ScannablePass, 'type' | 'usagesCount' | 'maxUsages'>,
) {
  return pass.type === 'multi' && pass.maxUsages !== null && pass.usagesCount >= pass.maxUsages;
}

/** The pass after a successful scan: one more use, and a single pass is spent. */
export function admit<T extends ScannablePass>(pass: T): T {
  return {
    ...pass,
    usagesCount: pass.usagesCount + 1,
    status: pass.type === 'single' ? 'used' : pass.status,
  };
}

/**
 * The pass after its admit is undone: the use given back (never below none), a spent single pass
 * active again; a revoked pass stays revoked.
 */
export function unadmit<T extends ScannablePass>(pass: T): T {
  return {
    ...pass,
    usagesCount: Math.max(0, pass.usagesCount - 1),
    status: pass.type === 'single' && pass.status === 'used' ? 'active' : pass.status,
  };
}

/**
 * Status as reported, in the scan rule's order so that the page, the list and the door agree:
 * revoked, then used (a spent single pass), then expired the moment `validUntil` has passed, then
 * used (a multi pass out of uses), else active. `reportedStatusSql` mirrors it.
 */
export function reportedStatus(
  pass: Pick<ScannablePass, 'type' | 'status' | 'usagesCount' | 'maxUsages' | 'validUntil'>,
  now: Date,
): PassStatus {
  if (pass.status === 'revoked') return 'revoked';
  if (pass.status === 'used') return 'used';
  if (pass.validUntil !== null && now > pass.validUntil) return 'expired';
  if (isMultiPassExhausted(pass)) return 'used';
  return 'active';
}

/**
 * One scan decided on a copy of the pass, as a door decides it offline: the verdict, and the
 * pass as the scan leaves it (a use counted on an admit). The server's scan statement does the
 * same in SQL; a property test holds the two together over sequences of scans.
 */
export function decideScan<T extends ScannablePass>(
  pass: T,
  now: Date,
): { result: ScanResult; pass: T } {
  const result = evaluateScan(pass, now);
  return { result, pass: result === 'success' ? admit(pass) : pass };
}
