import {
  ENTRY_ANYWHERE,
  presenceLocation,
  type ScanDirection,
  type ScannablePass,
  type ScanPlace,
} from '@passgate/shared/core';

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
 * Whether each pass is inside where this door's scans of it count, as those scans (online or on
 * the phone) left it: the presence the door decides re-entry by. Kept in memory; a pass it has
 * not seen go out meets the normal rule.
 */
export function createDoorPresence() {
  const inside = new Map<string, boolean>();
  const keyOf = (locationId: string, code: string) => `${locationId} ${code}`;
  return {
    /** The scan rule's place for a scan of `pass` by this door, and where it counts. */
    placeOf(
      pass: Pick<ScannablePass, 'locationId'> & { code: string },
      at: DoorPlace,
    ): { place: ScanPlace; countsAt: string | null } {
      const countsAt = presenceLocation(pass, { ...ENTRY_ANYWHERE, locationId: at.locationId });
      return {
        place: {
          locationId: at.locationId,
          direction: at.direction,
          inside: countsAt === null ? null : (inside.get(keyOf(countsAt, pass.code)) ?? null),
          reentry: countsAt !== null && countsAt === at.locationId && at.reentry,
        },
        countsAt,
      };
    },
    /** A successful scan at `countsAt` left the pass inside (entry) or outside (exit). */
    moved(countsAt: string | null, code: string, direction: ScanDirection) {
      if (countsAt !== null) inside.set(keyOf(countsAt, code), direction === 'entry');
    },
  };
}
