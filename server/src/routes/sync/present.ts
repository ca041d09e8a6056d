import type { SyncPass } from '@passgate/shared';
import { toIso } from '../support';
import type { SyncPassRow } from './queries';

/** A pass as a door keeps it: what deciding and greeting need, no contact details. */
export function presentSyncPass(row: SyncPassRow): SyncPass {
  return {
    code: row.code,
    type: row.type,
    status: row.status,
    validFrom: toIso(row.valid_from),
    validUntil: toIso(row.valid_until),
    maxUsages: row.max_usages,
    usagesCount: row.usages_count,
    lastAdmittedAt: toIso(row.last_admitted_at),
    name: row.name,
    clientName: row.client_name,
  };
}
