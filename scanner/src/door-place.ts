import {
  ENTRY_ANYWHERE,
  presenceLocation,
  type ScanDirection,
  type ScanPlace,
} from '@passgate/shared/core';
import type { DoorPass } from './store';

/**
 * Where this door scans and which way: its location (with whether that lets a pass back in), and
 * the direction staff set.
 */
export interface DoorPlace {
  locationId: string | null;
  reentry: boolean;
  direction: ScanDirection;
}
export const ENTRY_AT_ANY: DoorPlace = { locationId: null, reentry: false, direction: 'entry' };

/**
 * The scan rule's place for this door's scan of `pass`, and the location the scan counts at (the
 * door's, else the pass's). The pass's `inside` is its presence there: from the server's sync,
 * with this phone's own scans since on top, kept in the door's store through reloads.
 */
export function placeOf(
  pass: DoorPass,
  at: DoorPlace,
): { place: ScanPlace; countsAt: string | null } {
  const countsAt = presenceLocation(
    { locationId: pass.locationId ?? null },
    { ...ENTRY_ANYWHERE, locationId: at.locationId },
  );
  return {
    place: {
      locationId: at.locationId,
      direction: at.direction,
      inside: countsAt === null ? null : (pass.inside ?? null),
      reentry: countsAt !== null && countsAt === at.locationId && at.reentry,
    },
    countsAt,
  };
}

/** The pass after a successful scan that counted at `countsAt` took it in or out. */
export const moved = (
  pass: DoorPass,
  countsAt: string | null,
  direction: ScanDirection,
): DoorPass => (countsAt === null ? pass : { ...pass, inside: direction === 'entry' });
