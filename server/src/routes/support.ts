import { OpenAPIHono } from '@hono/zod-openapi';
import { ErrorBody } from '@passgate/shared';
import type { Context } from 'hono';
import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { z } from 'zod';
import type { Database } from '../db/schema';
import { fold } from '../domain/folding';
import { ApiError } from '../errors';
import type { ApiEnv } from '../middleware/env';

/**
 * A router whose validation failures answer 400 `{ error }` naming the field, like every
 * other error of the API.
 */
export function createRouter() {
  return new OpenAPIHono<ApiEnv>({
    defaultHook: (result) => {
      if (!result.success) throw new ApiError(400, describeIssues(result.error.issues));
    },
  });
}

/**
 * "validUntil: expected an ISO 8601 date …; customFields.0.key: …": up to five, each said once
 * (a value can break several rules that share one message).
 */
function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const lines = issues.map((issue) => {
    if (issue.path.length === 0 && issue.code === 'invalid_type')
      return 'Request body must be a JSON object';
    return `${issue.path.join('.')}: ${issue.message}`;
  });
  return [...new Set(lines)].slice(0, 5).join('; ');
}

const STATUS_TEXT = {
  400: 'Invalid input: the message names the field',
  401: 'Missing, invalid or revoked API key',
  403: 'Not on the Pro plan, key scope too narrow, or a plan limit reached',
  404: 'No such resource for this tenant',
  409: 'A request with the same Idempotency-Key is still running',
  410: 'The link or token was used already, or has expired',
  413: 'The request body is too large',
  415: 'The body is not declared as application/json',
  422: 'The Idempotency-Key was used with a different request',
  429: 'Rate limit exceeded; see Retry-After',
  501: 'This server is not set up for it (it sends no mail)',
  503: 'The database is out of reach for the moment',
};

export function errorResponses(...statuses: (keyof typeof STATUS_TEXT)[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: STATUS_TEXT[status], content: { 'application/json': { schema: ErrorBody } } },
    ]),
  );
}

export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } };
}

export const toIso = (date: Date | null) => (date ? date.toISOString() : null);

/** Up to this many rows a list counts exactly; beyond, `X-Total-Count` is an estimate. */
export const EXACT_COUNT_UP_TO = 10_000;

/** How many rows a list has in all, and whether that is PostgreSQL's estimate. */
export interface ListTotal {
  total: number;
  estimated: boolean;
}

/**
 * How many rows the filtered query has: counted exactly up to `upTo` (the count stops there,
 * so a list of a million costs what one of ten thousand does), and beyond that the planner's
 * estimate of the filter's rows, never less than the bound.
 */
export async function countRows<DB, TB extends keyof DB, Row>(
  db: Kysely<Database>,
  query: SelectQueryBuilder<DB, TB, Row>,
  upTo = EXACT_COUNT_UP_TO,
): Promise<ListTotal> {
  const rows = query.clearSelect().clearOrderBy().select(sql<number>`1`.as('one'));
  const bounded = await db
    .selectFrom(rows.limit(upTo + 1).as('bounded'))
    .select(sql<number>`count(*)::int`.as('total'))
    .executeTakeFirstOrThrow();
  if (bounded.total <= upTo) return { total: bounded.total, estimated: false };
  const [explained] = await rows.explain('json');
  const plan = (explained?.['QUERY PLAN'] as { Plan: { 'Plan Rows': number } }[] | undefined)?.[0];
  const estimate = Math.round(plan?.Plan['Plan Rows'] ?? 0);
  return { total: Math.max(estimate, upTo + 1), estimated: true };
}

/**
 * One page of a list and how many rows the list has in all (see `countRows`): `query` is the
 * whole list, filtered, selected and ordered. The count runs beside the page.
 */
export async function paginate<DB, TB extends keyof DB, Row>(
  db: Kysely<Database>,
  query: SelectQueryBuilder<DB, TB, Row>,
  page: { page: number; limit: number },
): Promise<{ rows: Row[] } & ListTotal> {
  const [rows, total] = await Promise.all([
    query
      .limit(page.limit)
      .offset((page.page - 1) * page.limit)
      .execute(),
    countRows(db, query),
  ]);
  return { rows, ...total };
}

/**
 * Sets `X-Total-Count` (and `X-Total-Count-Estimated: true` when it is an estimate) and an RFC
 * 8288 `Link`: first, prev, next, last by page number. A list that takes a `cursor` gives `next`:
 * the keyset place after this page, or null when the page is its last.
 */
export function setPaginationHeaders(
  c: Context,
  publicUrl: string,
  page: ListTotal & { page: number; limit: number; next?: string | null },
) {
  const lastPage = Math.max(1, Math.ceil(page.total / page.limit));
  const url = new URL(c.req.url);
  const linkTo = (target: { page: number } | { cursor: string }, rel: string) => {
    const params = new URLSearchParams(url.search);
    for (const name of ['page', 'limit', 'cursor']) params.delete(name);
    if ('page' in target) params.append('page', String(target.page));
    else params.append('cursor', target.cursor);
    params.append('limit', String(page.limit));
    return `<${publicUrl}${url.pathname}?${params}>; rel="${rel}"`;
  };
  const links = [linkTo({ page: 1 }, 'first')];
  if (page.page > 1) links.push(linkTo({ page: Math.min(page.page - 1, lastPage) }, 'prev'));
  if (page.next === undefined) {
    if (page.page < lastPage) links.push(linkTo({ page: page.page + 1 }, 'next'));
  } else if (page.next !== null) links.push(linkTo({ cursor: page.next }, 'next'));
  links.push(linkTo({ page: lastPage }, 'last'));
  c.header('X-Total-Count', String(page.total));
  if (page.estimated) c.header('X-Total-Count-Estimated', 'true');
  c.header('Link', links.join(', '));
}

/** Escapes LIKE wildcards so a search for "50%" means the text "50%". */
export const likePattern = (search: string) =>
  `%${search.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;

/**
 * A search's folded pattern written into the statement as a literal, not sent as a parameter:
 * the server's connections plan parameters generically (`db/create.ts`), and a generic plan
 * cannot tell a pattern that matches every row (walk the newest first) from one that matches
 * a few (read them through the trigram index).
 */
export const searchLiteral = (search: string) => sql.lit(fold(likePattern(search)));
