import type { PassStatus, PassType, ScanDirection, ScanResult, StoredPassStatus } from './codes';

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
  /** The location the pass is good at; null: every location. */
  locationId: string | null;
}

/** Where and which way a pass is scanned, and what is known there of the pass. */
export interface ScanPlace {
  /** The scan's location: its door's, or the one a key named; null: none said. */
  locationId: string | null;
  direction: ScanDirection;
  /**
   * At the location the scan counts at (`presenceLocation`): true when the pass's last
   * successful scan there was an entry, false when an exit, null when it has none there.
   */
  inside: boolean | null;
  /** That location lets a pass that went out come back in without another use. */
  reentry: boolean;
}

/** A scan with nothing said of place or direction: an entry, anywhere. */
export const ENTRY_ANYWHERE: ScanPlace = {
  locationId: null,
  direction: 'entry',
  inside: null,
  reentry: false,
};

/**
 * The location a scan counts at, for the pass's presence and the location's `reentry`: the
 * scan's own, else the pass's. Null when neither says one.
 */
export const presenceLocation = (pass: Pick<ScannablePass, 'locationId'>, place: ScanPlace) =>
  place.locationId ?? pass.locationId;

/** A pass that went out of a location that lets it back in, coming back in. */
export const isReentry = (place: ScanPlace) =>
  place.direction === 'entry' && place.reentry && place.inside === false;

/**
 * The scan rule, checked in this order. `scanResultSql` in the server's `domain/pass-sql.ts` is the same
 * rule in SQL, which the scan statement runs; a property test there holds them together.
 *
 * A revoked pass, and a pass of another location than the scan's, are refused either way. An
 * exit is otherwise let through, whatever the pass's uses and validity: a guest leaving is
 * recorded, never stopped. An entry that is a re-entry (`isReentry`) skips the checks of uses.
 */
export function evaluateScan(pass: ScannablePass, now: Date, place = ENTRY_ANYWHERE): ScanResult {
  if (pass.status === 'revoked') return 'revoked';
  if (pass.locationId !== null && place.locationId !== null && pass.locationId !== place.locationId)
    return 'wrong_location';
  if (place.direction === 'exit') return 'success';
  const reentry = isReentry(place);
  if (pass.status === 'used' && !reentry) return 'already_used';
  if (pass.validFrom !== null && now < pass.validFrom) return 'not_yet_valid';
  if (pass.validUntil !== null && now > pass.validUntil) return 'expired';
  if (isMultiPassExhausted(pass) && !reentry) return 'max_usages_reached';
  return 'success';
}

/** A successful scan that counts a use: an entry that is not a re-entry. */
export const countsUse = (result: ScanResult, place: ScanPlace) =>
  result === 'success' && place.direction === 'entry' && !isReentry(place);

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
 * One scan decided on a copy of the pass, as a door decides it offline: the verdict, the pass as
 * the scan leaves it (a use counted on an admit that `countsUse`), and whether the pass is then
 * inside the location the scan counts at (unchanged by a refusal). The server's scan statement
 * does the same in SQL; a property test holds the two together over sequences of scans.
 */
export function decideScan<T extends ScannablePass>(
  pass: T,
  now: Date,
  place = ENTRY_ANYWHERE,
): { result: ScanResult; pass: T; inside: boolean | null } {
  const result = evaluateScan(pass, now, place);
  return {
    result,
    pass: countsUse(result, place) ? admit(pass) : pass,
    inside: result === 'success' ? place.direction === 'entry' : place.inside,
  };
}
