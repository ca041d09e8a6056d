import { z } from '@hono/zod-openapi';
import { IsoDate, Pagination, ScanListItem, ScanListQuery, ScanSummary } from '@passgate/shared';
import { streamSSE } from 'hono/streaming';
import { ACCESS, defineRoute } from '../../access';
import { onServerClock } from '../../domain/device-clock';
import { annulScan } from '../../domain/scans/annul';
import { snapshot } from '../../domain/sweep';
import { ApiError, notFound } from '../../errors';
import { credentialStillWorks } from '../../middleware/authenticate';
import type { Services } from '../../services';
import { deviceTimeOf } from '../../services/device-presence';
import { createRouter, errorResponses, json, setPaginationHeaders } from '../support';
import { presentScanListItem } from './present';
import { listScans, STREAM_CURSOR, summarizeScans } from './queries';
import { sendScans } from './stream';

const list = defineRoute({
  method: 'get',
  path: '/scans',
  operationId: 'listScans',
  access: ACCESS.team,
  tags: ['Scan'],
  summary: 'List scans',
  description: 'Newest received first; `conflict=true` lists conflicts only.',
  request: { query: z.object({ ...ScanListQuery, ...Pagination }) },
  responses: {
    200: json(z.array(ScanListItem), 'X-Total-Count and Link headers paginate'),
    ...errorResponses(400, 401, 403, 429),
  },
});

const AnnulBody = z
  .object({
    annulledAt: IsoDate.optional().describe(
      "An undo made on the phone while offline: the device's clock when it was made",
    ),
  })
  .meta({ id: 'AnnulScan' });

const annul = defineRoute({
  method: 'post',
  path: '/scans/{scanId}/annul',
  operationId: 'annulScan',
  access: ACCESS.door,
  tags: ['Scan'],
  summary: 'Undo an admit',
  description:
    'Gives the use back and emits `pass.scan_annulled`. A door device may undo its own admits ' +
    'within 15 minutes of scanning: `annulledAt` must not be before the scan (400), and the ' +
    'undo must reach the server within 15 minutes of it, or of the scan itself arriving (403). ' +
    'A full key may undo any admit. Undoing twice does it once.',
  request: {
    params: z.object({ scanId: z.string().max(100) }),
    body: { required: false, content: { 'application/json': { schema: AnnulBody } } },
  },
  responses: {
    200: json(ScanListItem, 'The annulled scan'),
    ...errorResponses(400, 401, 403, 404, 409, 415, 429),
  },
});

const stream = defineRoute({
  method: 'get',
  path: '/scans/stream',
  operationId: 'streamScans',
  access: ACCESS.team,
  tags: ['Scan'],
  summary: 'Scans as they happen (server-sent events)',
  description:
    'A `text/event-stream` of `scan` events, each a ScanListItem, for signed-in users and full ' +
    'keys. Each event id is the stream’s place: reconnecting with it as `Last-Event-ID` (the ' +
    'browser’s EventSource does so by itself) misses no scan, though it may repeat one. The ' +
    'credential is checked again every second: once the key is revoked, the session ended or ' +
    'the user disabled, an `end` event closes the stream. New scans are sent within about half ' +
    'a second of their commit.',
  request: {
    query: z.object({
      cursor: z
        .string()
        .max(30)
        .optional()
        .describe('Where to resume, as Last-Event-ID does (that header wins)'),
    }),
  },
  responses: {
    200: {
      description:
        'The stream: `ready` once, then a `scan` event for each scan, and `end` when the credential stops working',
      content: { 'text/event-stream': { schema: z.string() } },
    },
    ...errorResponses(400, 401, 403, 429),
  },
});

const summary = defineRoute({
  method: 'get',
  path: '/scans/summary',
  operationId: 'getScanSummary',
  access: ACCESS.team,
  tags: ['Scan'],
  summary: 'What each door did since a moment, and admits per 5 minutes',
  description: 'What the dashboard’s overview shows for the day (`since`: local midnight).',
  request: { query: z.object({ since: IsoDate.describe('Counted from this moment on') }) },
  responses: {
    200: json(ScanSummary, 'Per door, and per 5 minutes'),
    ...errorResponses(400, 401, 403, 429),
  },
});

export const scanListOperations = { list, annul, stream, summary };

const ANNUL_REFUSALS = {
  unknown: () => notFound('Scan'),
  other_device: () => notFound('Scan'),
  not_admitted: () => new ApiError(409, 'Only an admit can be undone: this scan admitted nobody'),
  too_late: () =>
    new ApiError(403, 'A door may undo an admit only within 15 minutes; ask an admin'),
  before_scan: () => new ApiError(400, 'annulledAt: must not be before the scan it undoes'),
} as const;

const flag = (value: 'true' | 'false' | undefined) =>
  value === undefined ? undefined : value === 'true';

export function scanListRoutes({
  db,
  publicUrl,
  liveStreams,
  scanFeeds,
  callers,
  logger,
}: Services) {
  return createRouter()
    .openapi(summary, async (c) => {
      const since = new Date(c.req.valid('query').since);
      const { doors, admissions } = await summarizeScans(db, c.get('caller').tenant.id, since);
      return c.json(
        {
          since: since.toISOString(),
          doors: doors.map((door) => ({
            deviceId: door.device_id,
            deviceName: door.device_name,
            admits: door.admits,
            refusals: door.refusals,
            conflicts: door.conflicts,
          })),
          admissions: admissions.map((bucket) => ({
            at: new Date(bucket.at).toISOString(),
            count: bucket.count,
          })),
        },
        200,
      );
    })
    .openapi(stream, async (c) => {
      const place = c.req.header('last-event-id') ?? c.req.valid('query').cursor;
      const now = await snapshot(db);
      let from = now.floor;
      if (place !== undefined) {
        const match = STREAM_CURSOR.exec(place);
        if (!match?.[1] || BigInt(match[1]) > BigInt(now.next)) {
          throw new ApiError(400, 'cursor: not a place in this stream; connect again without one');
        }
        from = match[1];
      }
      const caller = c.get('caller');
      c.header('X-Accel-Buffering', 'no');
      return streamSSE(c, (sse) =>
        sendScans(sse, {
          feeds: scanFeeds,
          tenantId: caller.tenant.id,
          from,
          liveStreams,
          logger,
          stillAllowed: () => credentialStillWorks(c, db, callers),
        }),
      ) as never;
    })
    .openapi(list, async (c) => {
      const query = c.req.valid('query');
      const { rows, total, estimated } = await listScans(
        db,
        c.get('caller').tenant.id,
        {
          passId: query.passId,
          deviceId: query.deviceId,
          result: query.result,
          offline: flag(query.offline),
          conflict: flag(query.conflict),
          since: query.since === undefined ? undefined : new Date(query.since),
        },
        query,
      );
      setPaginationHeaders(c, publicUrl, {
        total,
        estimated,
        page: query.page,
        limit: query.limit,
      });
      return c.json(rows.map(presentScanListItem), 200);
    })
    .openapi(annul, async (c) => {
      const { scanId } = c.req.valid('param');
      const body = c.req.valid('json') ?? {};
      const { tenant, key } = c.get('caller');
      const now = new Date();
      // The door's clock, corrected by its skew as an upload's is.
      const at = body.annulledAt
        ? onServerClock(new Date(body.annulledAt), deviceTimeOf(c.req.header('x-device-time')), now)
            .at
        : now;
      const outcome = await db.transaction().execute((trx) =>
        annulScan(trx, {
          tenantId: tenant.id,
          scanId,
          // A full key or a user may undo any admit; a scan key only its door's own.
          door:
            key && key.scope !== 'full'
              ? { apiKeyId: key.id, deviceId: key.device?.id ?? null }
              : null,
          at,
          now,
        }),
      );
      if (!outcome.ok) throw ANNUL_REFUSALS[outcome.reason]();
      return c.json(presentScanListItem(outcome.scan), 200);
    });
}
