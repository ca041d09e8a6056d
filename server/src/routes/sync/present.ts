import { DOOR_PASS_FIELDS, type SyncPass } from '@passgate/shared';
import { presentFields } from '../../domain/passes/present';
import type { SyncPassRow } from './queries';

/** A pass as a door keeps it (`DOOR_PASS_FIELDS`): what deciding and greeting need. */
export const presentSyncPass = (row: SyncPassRow): SyncPass => ({
  ...presentFields(DOOR_PASS_FIELDS, row, { now: new Date() }),
  inside: row.inside,
});
