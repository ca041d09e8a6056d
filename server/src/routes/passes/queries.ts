import {
  type CreatePassBody,
  type CustomField,
  instantOf,
  type PassStatus,
  type PassType,
  storedFields,
  type UpdatePassBody,
} from '@passgate/shared';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { ClientRow, Database, PassTable } from '../../db/schema';
import { newId, newPassCode, newPublicToken } from '../../domain/ids';
import { reportedStatusSql } from '../../domain/pass-sql';
import { ApiError } from '../../errors';
import { likePattern, paginate } from '../support';
import type { PassWithClient } from './present';

/** Passes with their client's contact fields: the one shape every pass read uses. */
export function selectPasses(db: Kysely<Database>, tenantId: string) {
  return db
    .selectFrom('passes')
    .leftJoin('clients', 'clients.id', 'passes.client_id')
    .selectAll('passes')
    .select([
      'clients.name as client_name',
      'clients.email as client_email',
      'clients.phone as client_phone',
    ])
    .where('passes.tenant_id', '=', tenantId);
}

export async function findPass(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
): Promise<PassWithClient | undefined> {
  return selectPasses(db, tenantId).where('passes.id', '=', id).executeTakeFirst();
}

/** Locks the pass row for the rest of the transaction. */
export async function findPassForUpdate(trx: Transaction<Database>, tenantId: string, id: string) {
  return selectPasses(trx, tenantId)
    .where('passes.id', '=', id)
    .forUpdate('passes')
    .executeTakeFirst();
}

/** What the pass list and its CSV export may be narrowed by. */
export interface PassFilters {
  search?: string | undefined;
  status?: PassStatus | undefined;
  type?: PassType | undefined;
  clientId?: string | undefined;
}

/** The tenant's passes that match the filters, with their client (unordered). */
export function filterPasses(
  db: Kysely<Database>,
  tenantId: string,
  query: PassFilters,
  now: Date,
) {
  let filtered = selectPasses(db, tenantId);
  if (query.search) {
    const pattern = likePattern(query.search);
    filtered = filtered.where((eb) =>
      eb.or([
        eb(sql`lower(coalesce(passes.name, ''))`, 'like', pattern),
        eb(eb.fn('lower', ['passes.code']), 'like', pattern),
      ]),
    );
  }
  if (query.type) filtered = filtered.where('passes.type', '=', query.type);
  if (query.clientId) filtered = filtered.where('passes.client_id', '=', query.clientId);
  if (query.status) {
    const status = query.status;
    filtered = filtered.where((eb) => eb(reportedStatusSql(eb, now), '=', status));
  }
  return filtered;
}

export async function listPasses(
  db: Kysely<Database>,
  tenantId: string,
  query: PassFilters & { limit: number; page: number },
  now: Date,
) {
  return paginate(
    filterPasses(db, tenantId, query, now)
      .orderBy('passes.created_at', 'desc')
      .orderBy('passes.id', 'desc'),
    query,
  );
}

/**
 * The matching passes newest first, a page at a time, each page after the last one's place (not
 * an offset, which grows slower with every page): what an export of a million passes reads.
 */
export async function* eachPassPage(
  db: Kysely<Database>,
  tenantId: string,
  query: PassFilters,
  now: Date,
  pageSize = 1000,
) {
  let after: string | undefined;
  for (;;) {
    let page = filterPasses(db, tenantId, query, now);
    if (after) {
      // The last row's time read back exactly: a JavaScript Date drops its microseconds.
      page = page.where(
        sql<boolean>`(passes.created_at, passes.id) <
          ((SELECT before.created_at FROM passes AS before WHERE before.id = ${after}), ${after})`,
      );
    }
    const rows = await page
      .orderBy('passes.created_at', 'desc')
      .orderBy('passes.id', 'desc')
      .limit(pageSize)
      .execute();
    if (rows.length > 0) yield rows;
    const last = rows.at(-1);
    if (rows.length < pageSize || !last) return;
    after = last.id;
  }
}

/** A validity bound as given (null clears it); a plain date is its day's first or last moment. */
const toDate = (value: string | null | undefined, plainDate: 'start' | 'end') =>
  value == null ? null : instantOf(value, plainDate);

/** The validity rules a pass must keep after any create or update. */
export function assertValidPass(
  pass: Pick<PassTable, 'type' | 'valid_from' | 'valid_until' | 'max_usages'>,
) {
  if (pass.type === 'single' && pass.max_usages !== null) {
    throw new ApiError(400, 'maxUsages applies only to multi passes');
  }
  if (pass.valid_from && pass.valid_until && pass.valid_from > pass.valid_until) {
    throw new ApiError(400, 'validFrom must not be after validUntil');
  }
}

/** Inserts the pass and answers it with its client's contact fields, as `findPass` would. */
export async function insertPass(
  trx: Transaction<Database>,
  tenantId: string,
  body: CreatePassBody,
  client: ClientRow | null,
  now: Date,
): Promise<PassWithClient> {
  const values = {
    id: newId('pass'),
    tenant_id: tenantId,
    code: newPassCode(),
    public_token: newPublicToken(),
    name: body.name ?? null,
    note: body.note ?? null,
    type: body.type,
    status: 'active' as const,
    max_usages: body.maxUsages ?? null,
    valid_from: toDate(body.validFrom, 'start'),
    valid_until: toDate(body.validUntil, 'end'),
    fields: JSON.stringify(storedFields(body.customFields ?? [])),
    template_id: body.templateId ?? null,
    location_id: body.locationId ?? null,
    client_id: client?.id ?? null,
    created_at: now,
    updated_at: now,
  };
  assertValidPass(values);
  const pass = await trx
    .insertInto('passes')
    .values(values)
    .returningAll()
    .executeTakeFirstOrThrow();
  return {
    ...pass,
    client_name: client?.name ?? null,
    client_email: client?.email ?? null,
    client_phone: client?.phone ?? null,
  };
}

/** Applies a PATCH (or a status change) to a locked pass; fields left out stay as they are. */
export async function updatePass(
  trx: Transaction<Database>,
  current: PassWithClient,
  patch: UpdatePassBody,
  now: Date,
) {
  const next = {
    name: patch.name === undefined ? current.name : patch.name,
    note: patch.note === undefined ? current.note : patch.note,
    status: patch.status ?? current.status,
    max_usages: patch.maxUsages === undefined ? current.max_usages : patch.maxUsages,
    valid_from:
      patch.validFrom === undefined ? current.valid_from : toDate(patch.validFrom, 'start'),
    valid_until:
      patch.validUntil === undefined ? current.valid_until : toDate(patch.validUntil, 'end'),
  };
  assertValidPass({ ...next, type: current.type });
  // A PATCH that changes nothing writes nothing: `updatedAt` tells integrations what changed.
  const unchanged =
    next.name === current.name &&
    next.note === current.note &&
    next.status === current.status &&
    next.max_usages === current.max_usages &&
    sameInstant(next.valid_from, current.valid_from) &&
    sameInstant(next.valid_until, current.valid_until) &&
    (!patch.customFields || sameFields(storedFields(patch.customFields), current.fields));
  if (unchanged) return;
  await trx
    .updateTable('passes')
    .set({
      ...next,
      ...(patch.customFields ? { fields: JSON.stringify(storedFields(patch.customFields)) } : {}),
      updated_at: now,
    })
    .where('tenant_id', '=', current.tenant_id)
    .where('id', '=', current.id)
    .execute();
}

const sameInstant = (a: Date | null, b: Date | null) => a?.getTime() === b?.getTime();

const sameFields = (a: readonly CustomField[], b: readonly CustomField[]) =>
  a.length === b.length &&
  a.every((field, i) => {
    const other = b[i];
    return (
      other !== undefined &&
      field.key === other.key &&
      field.value === other.value &&
      field.isPublic === other.isPublic
    );
  });
