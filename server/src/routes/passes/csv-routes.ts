import type { HttpBindings } from '@hono/node-server';
import { z } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import { ACCESS, defineRoute } from '../../access';
import { inBackground } from '../../db/turns';
import type { PassWithClient } from '../../domain/passes/present';
import { ApiError } from '../../errors';
import type { Services } from '../../services';
import { countOf } from '../limits';
import { createRouter, errorResponses, json } from '../support';
import { exportLines, fieldColumnsOf } from './csv';
import { describeProblems, IMPORT_EXAMPLE, parseImport } from './csv-import';
import { PassFilters } from './filters';
import { importPasses } from './imports';
import { eachPassPage } from './queries';

/** A CSV import of passes may be larger: up to its 10,000 rows with their custom fields. */
const MAX_IMPORT_BYTES = 10 * 1024 * 1024;

const exportCsv = defineRoute({
  method: 'get',
  path: '/passes/export',
  operationId: 'exportPasses',
  access: ACCESS.team,
  tags: ['Passes'],
  summary: 'Export passes as CSV',
  description:
    'Every pass the filters of `GET /passes` match, newest first, streamed (a million passes ' +
    'take no more memory than ten), with a `field:NAME` or `public:NAME` column per custom ' +
    'field, as `POST /passes/import` reads them back. Cells a spreadsheet would run as a ' +
    "formula start with `'`. " +
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
    problems: z.array(
      z.object({
        row: z
          .number()
          .int()
          .describe(
            'The row as a spreadsheet numbers it: the header is 1, the first pass 2; 0 for the whole file',
          ),
        error: z.string(),
      }),
    ),
  })
  .meta({ id: 'PassImport' });

const importCsv = defineRoute({
  method: 'post',
  path: '/passes/import',
  operationId: 'importPasses',
  access: ACCESS.team,
  maxBodyBytes: MAX_IMPORT_BYTES,
  tags: ['Passes'],
  summary: 'Import passes from CSV',
  description:
    'All or nothing, within the plan’s pass limit: one bad row and nothing is created (400, ' +
    'naming the rows). Every row is checked before any pass is made; the passes are then ' +
    'written 50 at a time, so others may see them appear, and a server that stops ' +
    'half way finishes the import when it starts again. A 503 once the import is accepted ' +
    'says so: the server finishes it, and the file must not be sent again. Columns: type, ' +
    'name, note, clientName, maxUsages, ' +
    'validFrom, validUntil, and `field:NAME` or `public:NAME` for custom fields; and what an ' +
    'export adds, so that an export imports: clientEmail (for a client the import makes), ' +
    'status (`revoked` stays revoked), usagesCount and createdAt. An export’s code, ' +
    'publicUrl and signedCode are read past: the passes get new ones. At most 10,000 rows and ' +
    '10 MB. ' +
    '`dryRun=true` checks every row and creates nothing.',
  request: {
    query: z.object({ dryRun: z.enum(['true', 'false']).optional() }),
    body: { required: true, content: { 'text/csv': { schema: z.string() } } },
  },
  responses: {
    200: json(ImportAnswer, 'Checked (dry run) or created'),
    ...errorResponses(400, 401, 403, 413, 415, 429, 503),
  },
});

const importExample = defineRoute({
  method: 'get',
  path: '/passes/import/example',
  operationId: 'getPassImportExample',
  access: ACCESS.team,
  tags: ['Passes'],
  summary: 'An example import file',
  responses: {
    200: { description: 'A CSV to start from', content: { 'text/csv': { schema: z.string() } } },
    ...errorResponses(401, 403, 429),
  },
});

/** The CSV operations of passes, as the OpenAPI document and the client's types see them. */
export const passCsvOperations = { exportCsv, importCsv, importExample };

/**
 * Passes an export reads, signs and writes at once: a page of a thousand held the server's
 * thread for 0.1 s, and the embedded database's connection for 60 ms, while scans waited.
 */
const EXPORT_PAGE = 250;

/** Export, import and its example file: registered ahead of `/passes/{passId}`. */
export function passCsvRoutes({ db, publicUrl, logger, signingKeys }: Services) {
  return createRouter()
    .openapi(exportCsv, async (c) => {
      const filters = c.req.valid('query');
      const tenantId = c.get('caller').tenant.id;
      const now = new Date();
      // The first page is read before anything is sent: a database that fails now is a 503.
      const fieldColumns = await fieldColumnsOf(db, tenantId, filters, now);
      const sign = await signingKeys.signer(db, tenantId);
      const pages = eachPassPage(db, tenantId, filters, now, EXPORT_PAGE)[Symbol.asyncIterator]();
      const nextPage = () => inBackground(() => pages.next());
      let page = await nextPage();
      const lines = (passes: PassWithClient[], header: boolean) =>
        exportLines(passes, fieldColumns, { publicUrl, now, sign }, header);
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
            await out.write(lines(page.value, header));
            header = false;
            page = await nextPage();
          }
          if (header) await out.write(lines([], true));
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
        if (dryRun) {
          return c.json({ rows: parsed.rows, created: 0, problems: parsed.problems }, 200);
        }
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
      await inBackground(() => importPasses(db, tenant, passes, { publicUrl, overLimit, logger }));
      return c.json({ rows: passes.length, created: passes.length, problems: [] }, 200);
    });
}
