import type { HttpBindings } from '@hono/node-server';
import { createRoute, z } from '@hono/zod-openapi';
import {
  CreatedPass,
  CreatePassBody,
  PASS_STATUSES,
  PASS_TYPES,
  Pagination,
  Pass,
  PassListItem,
  PassStatusAnswer,
  UpdatePassBody,
} from '@passgate/shared';
import { reportedStatus, type ScannablePass } from '@passgate/shared/core';
import type { Context } from 'hono';
import { stream } from 'hono/streaming';
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema';
import { ApiError, notFound } from '../../errors';
import { recordEvents } from '../../events';
import type { ApiEnv, Caller } from '../../middleware/env';
import { commitChange } from '../../middleware/idempotency';
import type { Services } from '../../services';
import { findOrCreateClientsByName, INSERT_CHUNK } from '../clients/queries';
import { assertBelowTenantLimit, countOf } from '../limits';
import { createRouter, errorResponses, json, jsonBody, setPaginationHeaders } from '../support';
import { describeProblems, exportLines, IMPORT_EXAMPLE, parseImport } from './csv';
import {
  passCreatedEvent,
  presentCreatedPass,
  presentPass,
  presentPassListItem,
  presentPassStatus,
  statusChangeEvents,
} from './present';
import {
  eachPassPage,
  findPass,
  findPassForUpdate,
  insertPasses,
  listPasses,
  updatePass,
} from './queries';

const PassParams = z.object({ passId: z.string().max(100) });

/** What the list and its CSV export may be narrowed by. */
const PassFilters = {
  search: z
    .string()
    .max(200)
    .optional()
    .describe('Case-insensitive match anywhere in name or code'),
  status: z
    .enum(PASS_STATUSES, { error: 'status must be one of active, used, expired, revoked' })
    .optional(),
  type: z.enum(PASS_TYPES, { error: 'type must be "single" or "multi"' }).optional(),
  clientId: z.string().max(100).optional().describe("Only this client's passes"),
};

const list = createRoute({
  method: 'get',
  path: '/passes',
  tags: ['Passes'],
  summary: 'List passes',
  request: {
    query: z.object({ ...PassFilters, ...Pagination }),
  },
  responses: {
    200: json(z.array(PassListItem), 'Newest first; X-Total-Count and Link headers paginate'),
    ...errorResponses(400, 401, 403, 429),
  },
});

const create = createRoute({
  method: 'post',
  path: '/passes',
  tags: ['Passes'],
  summary: 'Create a pass',
  description: 'Emits `pass.created` (and `client.created` when `clientName` creates a client).',
  request: { body: jsonBody(CreatePassBody) },
  responses: {
    201: json(CreatedPass, 'The new pass'),
    ...errorResponses(400, 401, 403, 409, 415, 422, 429),
  },
});

const get = createRoute({
  method: 'get',
  path: '/passes/{passId}',
  tags: ['Passes'],
  summary: 'Get a pass',
  request: { params: PassParams },
  responses: {
    200: json(Pass, 'The pass with its fields and client'),
    ...errorResponses(401, 403, 404, 429),
  },
});

const update = createRoute({
  method: 'patch',
  path: '/passes/{passId}',
  tags: ['Passes'],
  summary: 'Update a pass',
  description: '`customFields` replaces all fields. A status change emits `pass.status_changed`.',
  request: { params: PassParams, body: jsonBody(UpdatePassBody) },
  responses: {
    200: json(Pass, 'The updated pass'),
    ...errorResponses(400, 401, 403, 404, 415, 429),
  },
});

const statusRoute = (action: 'activate' | 'revoke') =>
  createRoute({
    method: 'post',
    path: `/passes/{passId}/${action}`,
    tags: ['Passes'],
    summary: action === 'activate' ? 'Activate a pass' : 'Revoke a pass',
    description: `400 if the pass is already ${action === 'activate' ? 'active' : 'revoked'}. Emits \`pass.status_changed\`.`,
    request: { params: PassParams },
    responses: {
      200: json(PassStatusAnswer, 'The new status'),
      ...errorResponses(400, 401, 403, 404, 409, 422, 429),
    },
  });

const activate = statusRoute('activate');
const revoke = statusRoute('revoke');

const exportCsv = createRoute({
  method: 'get',
  path: '/passes/export',
  tags: ['Passes'],
  summary: 'Export passes as CSV',
  description:
    'Every pass the filters of `GET /passes` match, newest first, streamed (a million passes ' +
    "take no more memory than ten). Cells a spreadsheet would run as a formula start with `'`. " +
    'A database that fails before the first row answers 503; one that fails later cuts the ' +
    'connection short, so the download is visibly incomplete.',
  request: { query: z.object(PassFilters) },
  responses: {
    200: { description: 'The CSV', content: { 'text/csv': { schema: z.string() } } },
    ...errorResponses(400, 401, 403, 429),
  },
});

const ImportAnswer = z
  .object({
    rows: z.number().int().describe('Rows read'),
    created: z.number().int().describe('Passes created: all the rows, or none on a dry run'),
    problems: z.array(z.object({ row: z.number().int(), error: z.string() })),
  })
  .meta({ id: 'PassImport' });

const importCsv = createRoute({
  method: 'post',
  path: '/passes/import',
  tags: ['Passes'],
  summary: 'Import passes from CSV',
  description:
    'All or nothing, in one transaction, within the plan’s pass limit: one bad row and nothing ' +
    'is created (400, naming the rows). Columns: type, name, note, clientName, maxUsages, ' +
    'validFrom, validUntil, and `field:NAME` or `public:NAME` for custom fields. At most ' +
    '10,000 rows and 10 MB. `dryRun=true` checks every row and creates nothing.',
  request: {
    query: z.object({ dryRun: z.enum(['true', 'false']).optional() }),
    body: { required: true, content: { 'text/csv': { schema: z.string() } } },
  },
  responses: {
    200: json(ImportAnswer, 'Checked (dry run) or created'),
    ...errorResponses(400, 401, 403, 413, 415, 429),
  },
});

const importExample = createRoute({
  method: 'get',
  path: '/passes/import/example',
  tags: ['Passes'],
  summary: 'An example import file',
  responses: {
    200: { description: 'A CSV to start from', content: { 'text/csv': { schema: z.string() } } },
    ...errorResponses(401, 403, 429),
  },
});

/** The operations of this resource, as the OpenAPI document and the client's types see them. */
export const passOperations = {
  list,
  create,
  get,
  update,
  activate,
  revoke,
  exportCsv,
  importCsv,
  importExample,
};

/**
 * Why activate or revoke has nothing to do. A pass may read `expired` or `used` while its stored
 * status is `active`: activating cannot change that, and the message says what would.
 */
function alreadyMessage(pass: ScannablePass, status: 'active' | 'revoked', now: Date) {
  const already = `Pass is already ${status}`;
  if (status !== 'active') return already;
  switch (reportedStatus(pass, now)) {
    case 'expired':
      return `${already}; it reads expired because its validUntil has passed: PATCH validUntil to let it in again`;
    case 'used':
      return `${already}; it reads used because its usagesCount reached maxUsages: PATCH maxUsages to let it in again`;
    default:
      return already;
  }
}

export function passRoutes({ db, publicUrl, logger }: Services) {
  /** Locks the pass, applies the patch, and records the status change it causes. */
  async function changePass(
    trx: Transaction<Database>,
    caller: Caller,
    passId: string,
    patch: UpdatePassBody,
    now: Date,
    options: { refuseSameStatus?: boolean } = {},
  ) {
    const before = await findPassForUpdate(trx, caller.tenant.id, passId);
    if (!before) throw notFound('Pass');
    // activate and revoke, unlike PATCH, must change the status.
    if (options.refuseSameStatus && before.status === patch.status) {
      throw new ApiError(400, alreadyMessage(before, patch.status, now));
    }
    await updatePass(trx, before, patch, now);
    const after = await findPass(trx, caller.tenant.id, passId);
    if (!after) throw new Error(`Pass ${passId} vanished inside the transaction that updated it`);
    await recordEvents(
      trx,
      caller.tenant.id,
      statusChangeEvents(before, after, publicUrl, now),
      now,
    );
    return after;
  }

  /**
   * New passes, their clients found or created by name, and their `pass.created` events, in
   * multi-row statements: one pass from `POST /passes`, thousands from a CSV import.
   */
  async function createPasses(
    trx: Transaction<Database>,
    tenantId: string,
    bodies: readonly CreatePassBody[],
    now: Date,
  ) {
    const names = bodies.flatMap((body) => (body.clientName ? [body.clientName] : []));
    const clients = await findOrCreateClientsByName(trx, tenantId, names);
    const passes = await insertPasses(
      trx,
      tenantId,
      bodies.map((body) => ({
        body,
        client: body.clientName ? (clients.get(body.clientName) ?? null) : null,
      })),
      now,
    );
    for (let i = 0; i < passes.length; i += INSERT_CHUNK) {
      const events = passes
        .slice(i, i + INSERT_CHUNK)
        .map((pass) => passCreatedEvent(pass, publicUrl, now));
      await recordEvents(trx, tenantId, events, now);
    }
    return passes;
  }

  async function setStatus(c: Context<ApiEnv>, passId: string, status: 'active' | 'revoked') {
    const answer = await commitChange(c, db, async (trx) => {
      const now = new Date();
      const after = await changePass(trx, c.get('caller'), passId, { status }, now, {
        refuseSameStatus: true,
      });
      return { status: 200 as const, body: presentPassStatus(after, now) };
    });
    return c.json(answer.body, answer.status);
  }

  return createRouter()
    .openapi(list, async (c) => {
      const query = c.req.valid('query');
      const now = new Date();
      const { rows, total } = await listPasses(db, c.get('caller').tenant.id, query, now);
      setPaginationHeaders(c, publicUrl, { total, page: query.page, limit: query.limit });
      return c.json(
        rows.map((row) => presentPassListItem(row, publicUrl, now)),
        200,
      );
    })
    .openapi(exportCsv, async (c) => {
      const filters = c.req.valid('query');
      const tenantId = c.get('caller').tenant.id;
      const now = new Date();
      // The first page is read before anything is sent: a database that fails now is a 503.
      const pages = eachPassPage(db, tenantId, filters, now)[Symbol.asyncIterator]();
      let page = await pages.next();
      c.header('Content-Type', 'text/csv; charset=utf-8');
      c.header(
        'Content-Disposition',
        `attachment; filename="passes-${now.toISOString().slice(0, 10)}.csv"`,
      );
      return stream(c, async (out) => {
        try {
          let header = true;
          while (!page.done) {
            if (out.aborted) return;
            await out.write(exportLines(page.value, publicUrl, now, header));
            header = false;
            page = await pages.next();
          }
          if (header) await out.write(exportLines([], publicUrl, now, true));
        } catch (error) {
          // A later failure cuts the connection short, without the chunked body's end: the
          // download is visibly broken rather than a file that looks complete.
          logger.warn({ err: error }, 'CSV export broken off');
          (c.env as Partial<HttpBindings> | undefined)?.outgoing?.destroy();
        }
      }) as never;
    })
    .openapi(importExample, (c) => {
      c.header('Content-Disposition', 'attachment; filename="passes-example.csv"');
      return c.body(IMPORT_EXAMPLE, 200, { 'Content-Type': 'text/csv; charset=utf-8' }) as never;
    })
    .openapi(importCsv, async (c) => {
      if (!/^text\/(csv|plain)\b/i.test(c.req.header('content-type') ?? '')) {
        throw new ApiError(415, 'Send the CSV as the body, with "Content-Type: text/csv"');
      }
      const dryRun = c.req.valid('query').dryRun === 'true';
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(await c.req.arrayBuffer());
      } catch {
        throw new ApiError(400, 'The CSV is not valid UTF-8: save it as "CSV UTF-8"');
      }
      if (text.includes('\u0000'))
        throw new ApiError(400, 'The CSV must not contain NUL characters');
      const parsed = parseImport(text);
      if (!parsed.ok) {
        const rows = parsed.problems.some((p) => p.row > 0)
          ? Math.max(...parsed.problems.map((p) => p.row))
          : 0;
        if (dryRun) return c.json({ rows, created: 0, problems: parsed.problems }, 200);
        return c.json(
          { error: describeProblems(parsed.problems), problems: parsed.problems },
          400,
        ) as never;
      }
      const { tenant } = c.get('caller');
      const passes = parsed.passes;
      const overLimit = `Pass limit: this plan allows ${tenant.max_passes} passes, and ${passes.length} more would pass it. Nothing was imported.`;
      if (dryRun) {
        // Takes no lock: a dry run tells what an import would meet now, and waits on nothing.
        const count = tenant.max_passes === null ? 0 : await countOf(db, tenant.id, 'passes');
        if (tenant.max_passes !== null && count + passes.length > tenant.max_passes)
          throw new ApiError(403, overLimit);
        return c.json({ rows: passes.length, created: 0, problems: [] }, 200);
      }
      const answer = await db.transaction().execute(async (trx) => {
        await assertBelowTenantLimit(
          trx,
          tenant.id,
          'passes',
          tenant.max_passes,
          overLimit,
          passes.length,
        );
        await createPasses(trx, tenant.id, passes, new Date());
        return { rows: passes.length, created: passes.length, problems: [] };
      });
      return c.json(answer, 200);
    })
    .openapi(create, async (c) => {
      const body = c.req.valid('json');
      const { tenant } = c.get('caller');
      const answer = await commitChange(c, db, async (trx) => {
        const now = new Date();
        await assertBelowTenantLimit(
          trx,
          tenant.id,
          'passes',
          tenant.max_passes,
          `Pass limit reached: this plan allows ${tenant.max_passes} passes`,
        );
        const [pass] = await createPasses(trx, tenant.id, [body], now);
        if (!pass) throw new Error('A pass was created but not returned');
        return { status: 201 as const, body: presentCreatedPass(pass, publicUrl, now) };
      });
      return c.json(answer.body, answer.status);
    })
    .openapi(get, async (c) => {
      const pass = await findPass(db, c.get('caller').tenant.id, c.req.valid('param').passId);
      if (!pass) throw notFound('Pass');
      return c.json(presentPass(pass, publicUrl, new Date()), 200);
    })
    .openapi(update, async (c) => {
      const { passId } = c.req.valid('param');
      const patch = c.req.valid('json');
      const now = new Date();
      const after = await db
        .transaction()
        .execute((trx) => changePass(trx, c.get('caller'), passId, patch, now));
      return c.json(presentPass(after, publicUrl, now), 200);
    })
    .openapi(activate, (c) => setStatus(c, c.req.valid('param').passId, 'active'))
    .openapi(revoke, (c) => setStatus(c, c.req.valid('param').passId, 'revoked'));
}
