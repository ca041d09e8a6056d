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
import type { ClientRow, Database, PassRow, PassTable } from '../../db/schema';
import { newId, newPassCode, newPublicToken } from '../../domain/ids';
import { hasReportedStatusSql } from '../../domain/pass-sql';
import type { PassWithClient } from '../../domain/passes/present';
import { selectPasses } from '../../domain/passes/rows';
import { ApiError } from '../../errors';
import { INSERT_CHUNK } from '../clients/queries';
import { countRows, searchLiteral } from '../support';

/** What the pass list and its CSV export may be narrowed by. */
export interface PassFilters {
  search?: string | undefined;
  status?: PassStatus | undefined;
  type?: PassType | undefined;
  clientId?: string | undefined;
  locationId?: string | undefined;
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
    // The pass's name and its client's, whatever their case and accents, or its code.
    filtered = filtered.where('passes.search_key', 'like', searchLiteral(query.search));
  }
  if (query.type) filtered = filtered.where('passes.type', '=', query.type);
  if (query.clientId) filtered = filtered.where('passes.client_id', '=', query.clientId);
  if (query.locationId) filtered = filtered.where('passes.location_id', '=', query.locationId);
  if (query.status) {
    // `now` as a literal too (see `searchLiteral`): planned for the instant, a filter of the
    // passes that have ended reads the few that have through their index.
    const status = query.status;
    const at = sql<Date>`${sql.lit(now.toISOString())}::timestamptz`;
    filtered = filtered.where((eb) => hasReportedStatusSql(eb, status, at));
  }
  return filtered;
}

/** A search of the passes is counted exactly this far; beyond, `X-Total-Count` is an estimate. */
export const EXACT_SEARCH_COUNT_UP_TO = 1_000;

/** A place in the newest-first list: the pass the page before it ended with. */
const LIST_CURSOR = /^k1\.(pass_[A-Za-z0-9]+)$/;

/**
 * Only the passes after `passId` in the newest-first order (its time read back exactly: a
 * JavaScript Date drops microseconds). The caller makes sure the pass is the tenant's.
 */
function afterPass<Q extends ReturnType<typeof filterPasses>>(query: Q, passId: string): Q {
  return query.where(
    // Uncorrelated, so that it is read once and the newest-first index starts at the place.
    sql<boolean>`(passes.created_at, passes.id) <
      ((SELECT before.created_at FROM passes AS before WHERE before.id = ${passId}), ${passId})`,
  ) as Q;
}

/**
 * One page of the matching passes, newest first: by `cursor` (the page after that place, as
 * `Link`'s next gives it: it costs what the first page does however deep), else by `page`; how
 * many match (see `countRows`); and the place after this page when it is full.
 */
export async function listPasses(
  db: Kysely<Database>,
  tenantId: string,
  query: PassFilters & { limit: number; page: number; cursor?: string | undefined },
  now: Date,
) {
  const filtered = filterPasses(db, tenantId, query, now);
  let page = filtered;
  let offset = (query.page - 1) * query.limit;
  if (query.cursor !== undefined) {
    const passId = LIST_CURSOR.exec(query.cursor)?.[1];
    const known =
      passId &&
      (await db
        .selectFrom('passes')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', passId)
        .executeTakeFirst());
    if (!passId || !known) {
      throw new ApiError(400, 'cursor: not a place in this list; start again without one');
    }
    page = afterPass(filtered, passId);
    offset = 0;
  }
  const [rows, counted] = await Promise.all([
    page
      .orderBy('passes.created_at', 'desc')
      .orderBy('passes.id', 'desc')
      .limit(query.limit)
      .offset(offset)
      .execute(),
    // A search's count reads its matches through the trigram index, which hands over every
    // match of a trigram at once (about 10 µs each): it stops sooner.
    countRows(db, filtered, query.search ? EXACT_SEARCH_COUNT_UP_TO : undefined),
  ]);
  const last = rows.at(-1);
  return {
    rows,
    ...counted,
    next: rows.length === query.limit && last ? `k1.${last.id}` : null,
  };
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
    const filtered = filterPasses(db, tenantId, query, now);
    const rows = await (after ? afterPass(filtered, after) : filtered)
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

/** Why a pass's validity rules do not hold, or undefined when they do. */
export function validityProblem(
  pass: Pick<PassTable, 'type' | 'valid_from' | 'valid_until' | 'max_usages'>,
): string | undefined {
  if (pass.type === 'single' && pass.max_usages !== null) {
    return 'maxUsages applies only to multi passes';
  }
  if (pass.valid_from && pass.valid_until && pass.valid_from > pass.valid_until) {
    return 'validFrom must not be after validUntil';
  }
  return undefined;
}

/** The validity rules a pass must keep after any create or update: else 400. */
export function assertValidPass(
  pass: Pick<PassTable, 'type' | 'valid_from' | 'valid_until' | 'max_usages'>,
) {
  const problem = validityProblem(pass);
  if (problem) throw new ApiError(400, problem);
}

/** The columns of a new pass that its validity rules read. */
export const ruleColumnsOf = (body: CreatePassBody) => ({
  type: body.type,
  max_usages: body.maxUsages ?? null,
  valid_from: toDate(body.validFrom, 'start'),
  valid_until: toDate(body.validUntil, 'end'),
});

/**
 * A pass to make: as `POST /passes` describes it, or as a CSV row does, which may also carry what
 * the pass was where it was exported from: its client's email (for a client made now), its uses,
 * whether it was revoked, and when it was made (an instant, to the microsecond).
 */
export interface NewPass extends CreatePassBody {
  clientEmail?: string | undefined;
  usagesCount?: number | undefined;
  revoked?: boolean | undefined;
  createdAt?: string | undefined;
}

/** The stored status of a new pass: a single pass with its use counted is spent. */
const newStatus = (body: NewPass) =>
  body.revoked
    ? ('revoked' as const)
    : body.type === 'single' && (body.usagesCount ?? 0) > 0
      ? ('used' as const)
      : ('active' as const);

/** The stored columns of a new pass, as `POST /passes` (or a CSV row) describes it. */
export function newPassValues(
  tenantId: string,
  body: NewPass,
  client: ClientRow | null,
  now: Date,
) {
  return {
    id: newId('pass'),
    tenant_id: tenantId,
    code: newPassCode(),
    public_token: newPublicToken(),
    name: body.name ?? null,
    note: body.note ?? null,
    ...ruleColumnsOf(body),
    status: newStatus(body),
    usages_count: body.usagesCount ?? 0,
    fields: JSON.stringify(storedFields(body.customFields ?? [])),
    template_id: body.templateId ?? null,
    location_id: body.locationId ?? null,
    client_id: client?.id ?? null,
    created_at: body.createdAt ? sql<Date>`${body.createdAt}::timestamptz` : now,
    updated_at: now,
  };
}

/** Inserts the pass and answers it with its client's contact fields, as `findPass` would. */
export async function insertPass(
  trx: Transaction<Database>,
  tenantId: string,
  body: CreatePassBody,
  client: ClientRow | null,
  now: Date,
): Promise<PassWithClient> {
  const [pass] = await insertPasses(trx, tenantId, [{ body, client }], now);
  return pass as PassWithClient;
}

/**
 * Inserts passes in multi-row statements (a CSV import's thousands in a few), each checked by
 * the validity rules first; answers them in order, with their clients' contact fields.
 */
export async function insertPasses(
  trx: Transaction<Database>,
  tenantId: string,
  items: readonly { body: NewPass; client: ClientRow | null }[],
  now: Date,
): Promise<PassWithClient[]> {
  const values = items.map(({ body, client }) => newPassValues(tenantId, body, client, now));
  for (const row of values) assertValidPass(row);
  const inserted: PassWithClient[] = [];
  for (let i = 0; i < values.length; i += INSERT_CHUNK) {
    const rows = await trx
      .insertInto('passes')
      .values(values.slice(i, i + INSERT_CHUNK))
      .returningAll()
      .execute();
    // RETURNING gives no order: the ids (made here) put the rows back in the items' order.
    const byId = new Map(rows.map((row) => [row.id, row]));
    values.slice(i, i + INSERT_CHUNK).forEach((value, j) => {
      const client = items[i + j]?.client ?? null;
      inserted.push({
        ...(byId.get(value.id) as PassRow),
        client_name: client?.name ?? null,
        client_email: client?.email ?? null,
        client_phone: client?.phone ?? null,
      });
    });
  }
  return inserted;
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
    location_id: patch.locationId === undefined ? current.location_id : patch.locationId,
    template_id: patch.templateId === undefined ? current.template_id : patch.templateId,
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
    next.location_id === current.location_id &&
    next.template_id === current.template_id &&
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
