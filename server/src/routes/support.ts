import { OpenAPIHono } from '@hono/zod-openapi';
import { ErrorBody } from '@passgate/shared';
import type { Context } from 'hono';
import { type SelectQueryBuilder, sql } from 'kysely';
import type { z } from 'zod';
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

/**
 * One page of a list and how many rows the list has in all (for `X-Total-Count`): `query` is
 * the whole list, filtered, selected and ordered. The count runs beside the page, on the same
 * filter without its selection and order.
 */
export async function paginate<DB, TB extends keyof DB, Row>(
  query: SelectQueryBuilder<DB, TB, Row>,
  page: { page: number; limit: number },
): Promise<{ rows: Row[]; total: number }> {
  const [rows, count] = await Promise.all([
    query
      .limit(page.limit)
      .offset((page.page - 1) * page.limit)
      .execute(),
    query
      .clearSelect()
      .clearOrderBy()
      .select(sql<number>`count(*)::int`.as('total'))
      .executeTakeFirstOrThrow(),
  ]);
  // Kysely cannot follow a selection through a builder generic in its tables: its shape is given.
  return { rows, total: (count as { total: number }).total };
}

/** Sets `X-Total-Count` and an RFC 8288 `Link` (first, prev, next, last) on a list answer. */
export function setPaginationHeaders(
  c: Context,
  publicUrl: string,
  page: { total: number; page: number; limit: number },
) {
  const lastPage = Math.max(1, Math.ceil(page.total / page.limit));
  const url = new URL(c.req.url);
  const linkTo = (target: number, rel: string) => {
    const params = new URLSearchParams(url.search);
    params.delete('page');
    params.delete('limit');
    params.append('page', String(target));
    params.append('limit', String(page.limit));
    return `<${publicUrl}${url.pathname}?${params}>; rel="${rel}"`;
  };
  const links = [linkTo(1, 'first')];
  if (page.page > 1) links.push(linkTo(Math.min(page.page - 1, lastPage), 'prev'));
  if (page.page < lastPage) links.push(linkTo(page.page + 1, 'next'));
  links.push(linkTo(lastPage, 'last'));
  c.header('X-Total-Count', String(page.total));
  c.header('Link', links.join(', '));
}

/** Escapes LIKE wildcards so a search for "50%" means the text "50%". */
export const likePattern = (search: string) =>
  `%${search.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;
