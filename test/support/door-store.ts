import type { DoorPass } from '../../scanner/src/store';

/** A pass as a door keeps it: single, active, unused, named after its code. */
export const doorPass = (code: string, changes: Partial<DoorPass> = {}): DoorPass => ({
  code,
  type: 'single',
  status: 'active',
  validFrom: null,
  validUntil: null,
  maxUsages: null,
  locationId: null,
  usagesCount: 0,
  lastAdmittedAt: null,
  name: `Guest ${code}`,
  clientName: null,
  ...changes,
});

let stores = 0;
/** A name no door store has had in this process: each test's store starts empty. */
export const newStoreName = () => `door-${++stores}`;
