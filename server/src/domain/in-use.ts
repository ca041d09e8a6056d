import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { ApiError } from '../errors';

/** What a pass (or a door) may name: a tenant's locations and templates, archived or not. */
const NAMED = { locations: 'location', templates: 'template' } as const;

/**
 * 400 unless every id names a row of `table` of the tenant that is not archived: what a pass or
 * a door may be given. `field` is the request's name for it (`locationId`, `templateId`).
 */
export async function assertInUse(
  db: Kysely<Database>,
  tenantId: string,
  table: keyof typeof NAMED,
  ids: readonly string[],
  field: string,
) {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return;
  const found = await db
    .selectFrom(table)
    .select(['id', 'archived_at'])
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', wanted)
    .execute();
  const known = new Map(found.map((row) => [row.id, row.archived_at]));
  const noun = NAMED[table];
  const unknown = wanted.find((id) => !known.has(id));
  if (unknown !== undefined) throw new ApiError(400, `${field}: no such ${noun}`);
  const archived = wanted.find((id) => known.get(id));
  if (archived !== undefined) {
    throw new ApiError(400, `${field}: ${noun} ${archived} is archived`);
  }
}
