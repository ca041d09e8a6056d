import { OpenAPIHono } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { sql } from 'kysely';
import { clientAddressOf } from './client-address';
import { withDeadline } from './deadline';
import {
  DISK_FULL_RETRY_AFTER_SECONDS,
  errorHandler,
  noSuchEndpoint,
  RETRY_AFTER_SECONDS,
} from './errors';
import { authenticate, authorize } from './middleware/authenticate';
import { limitBody } from './middleware/body-limit';
import { corsForBrowsers } from './middleware/cors';
import { noteDeviceSeen } from './middleware/device-seen';
import { refuseWritesWhileDiskLow } from './middleware/disk-space';
import { idempotency } from './middleware/idempotency';
import { rateLimit } from './middleware/rate-limit';
import { requestLog } from './middleware/request-log';
import { knownRoutesOnly } from './middleware/route-table';
import { noForeignOrigin, sameOriginWrites } from './middleware/same-origin';
import { requireStorableText } from './middleware/storable-text';
import { withMiddlewareParts } from './openapi';
import { dashboardRoutes } from './pages/dashboard';
import { docsRoutes } from './pages/docs';
import { passPageRoutes, tryAgainSoon } from './pages/pass-page';
import { scannerRoutes } from './pages/scanner';
import { accountRoutes } from './routes/account';
import { clientRoutes } from './routes/clients';
import { devicePairingRoutes, deviceRoutes } from './routes/devices';
import { keyRoutes } from './routes/keys';
import { meRoutes } from './routes/me';
import { passRoutes } from './routes/passes';
import { scanIdentity, scanRoutes } from './routes/scan';
import { scanListRoutes } from './routes/scans';
import { sessionRoutes, signOutRoutes } from './routes/session';
import { createRouter } from './routes/support';
import { syncRoutes } from './routes/sync';
import { triggerRoutes } from './routes/triggers';
import { userRoutes } from './routes/users';
import { webhookRoutes } from './routes/webhooks';
import type { Services } from './services';
import { createAttemptThrottle } from './services/attempt-throttle';
import { createPasswordHashing } from './services/password-hashing';
import { createRateLimits } from './services/rate-limits';

const API_BASE = '/api/v1';
/** A load balancer's health check is answered within this, even while the database stalls. */
const HEALTH_CHECK_DEADLINE_MS = 1_500;
const MAX_BODY_BYTES = 1024 * 1024;
/** A CSV import of passes may be larger: up to its 10,000 rows with their custom fields. */
const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
const WEBHOOK_GROUP_PATH = new RegExp(`^${API_BASE}/(webhooks|triggers)(/|$)`);
/** What a scan-scope key (a door) may call. */
const DOOR_PATHS = [
  new RegExp(`^${API_BASE}/(scan|me|scanner/sync)$`),
  new RegExp(`^${API_BASE}/scans/[^/]+/annul$`),
];
/** What only admins (and full keys) may call: keys, webhooks, Zapier's triggers, users. */
const ADMIN_PATHS = [new RegExp(`^${API_BASE}/(keys|webhooks|triggers|users)(/|$)`)];
/** What needs no credential: pairing a phone, signing in, taking an invitation. */
const OPEN_PATHS = ['/devices/pair', '/session', '/invites/accept'];

/** The REST API under /api/v1: CORS, body limit, route check, key, scope, rate limit, idempotency. */
export function createApi(services: Services) {
  const { db, rateLimits, callers, devicePresence } = services;
  const api = createRouter();

  api.use(
    '*',
    corsForBrowsers({
      origin: '*',
      allowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
      allowHeaders: [
        'Authorization',
        'Content-Type',
        'Idempotency-Key',
        'X-Device-Time',
        'X-Device-Queue',
      ],
      // No credentials: a page of another site may call with a key, never with a session.
      exposeHeaders: [
        'X-RateLimit-Limit',
        'X-RateLimit-Remaining',
        'X-RateLimit-Reset',
        'RateLimit',
        'RateLimit-Policy',
        'Retry-After',
        'X-Total-Count',
        'Link',
        'Idempotent-Replayed',
      ],
      maxAge: 600,
    }),
  );
  // Generated from the routes' schemas on each request, plus what the middleware adds to them all.
  api.get('/openapi.json', (c) => c.json(apiDocument(api, services.publicUrl)));
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key: `2pk_` followed by 32 characters',
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'passgate_session',
    description:
      'A dashboard session, set by `POST /session`. Writes must come from the same origin.',
  });

  api.use('*', knownRoutesOnly({ api, basePath: API_BASE }));
  api.use('*', refuseWritesWhileDiskLow({ disk: services.disk }));
  // A phone being paired has no key yet: the pairing token in its body is its credential. A
  // person signing in has no session yet.
  for (const path of OPEN_PATHS) {
    api.use(path, limitBody({ maxSize: MAX_BODY_BYTES }));
    api.use(path, noForeignOrigin({ publicUrl: services.publicUrl }));
    api.use(path, requireStorableText());
  }
  api.route('/', devicePairingRoutes(services));
  api.route('/', sessionRoutes(services));
  api.use('*', authenticate({ db, callers }));
  api.use('*', sameOriginWrites({ publicUrl: services.publicUrl }));
  api.use('*', noteDeviceSeen({ presence: devicePresence }));
  // Both after the key, as they read the body (the limit counts a chunked one): a caller without
  // a key is refused before its body is read or, with `Expect: 100-continue`, even sent.
  api.use(
    '*',
    limitBody({
      maxSize: MAX_BODY_BYTES,
      larger: { [`${API_BASE}/passes/import`]: MAX_IMPORT_BYTES },
    }),
  );
  api.use('*', requireStorableText());
  api.use(
    '*',
    authorize({
      doorPaths: DOOR_PATHS,
      describeDoor: 'POST /scan, GET /scanner/sync, POST /scans/{id}/annul and GET /me',
      adminPaths: ADMIN_PATHS,
    }),
  );
  api.use(
    '*',
    rateLimit({
      rateLimits,
      groupOf: (path) => (WEBHOOK_GROUP_PATH.test(path) ? 'webhooks' : 'core'),
    }),
  );
  api.use('*', idempotency({ db, sameRequest: { [`${API_BASE}/scan`]: scanIdentity } }));

  api.route('/', passRoutes(services));
  api.route('/', clientRoutes(services));
  api.route('/', scanRoutes(services));
  api.route('/', scanListRoutes(services));
  api.route('/', syncRoutes(services));
  api.route('/', deviceRoutes(services));
  api.route('/', meRoutes());
  api.route('/', accountRoutes(services));
  api.route('/', keyRoutes(services));
  api.route('/', userRoutes(services));
  api.route('/', signOutRoutes(services));
  api.route('/', triggerRoutes(services));
  api.route('/', webhookRoutes(services));
  return api;
}

/** The OpenAPI document of `api`, with its servers at `publicUrl`. */
export function apiDocument(api: ReturnType<typeof createRouter>, publicUrl: string) {
  return withMiddlewareParts(
    api.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'Passgate API',
        version: '1.0.0',
        description:
          'Issue passes, scan them at the door, and react to what happens. Pro plan only.',
      },
      servers: [{ url: `${publicUrl}${API_BASE}` }],
      security: [{ bearer: [] }, { session: [] }],
    }),
  );
}

/**
 * The API's OpenAPI document without a running server (what `@passgate/client` is generated
 * from): routes only close over their services, so none is opened.
 */
export function buildApiDocument(publicUrl = 'http://localhost:3000') {
  const unused = new Proxy({}, { get: () => undefined }) as never;
  const rateLimits = createRateLimits();
  const api = createApi({
    db: unused,
    publicUrl,
    logger: unused,
    rateLimits,
    callers: unused,
    devicePresence: unused,
    liveStreams: unused,
    scans: unused,
    throttle: createAttemptThrottle(rateLimits),
    passwords: createPasswordHashing(),
    clientAddress: clientAddressOf(null),
    disk: unused,
    webhooks: unused,
  });
  return apiDocument(api, publicUrl);
}

/**
 * What answers between binding the port and being ready (migrations may take a while on a large
 * database): 503 with Retry-After everywhere, as HTML on a holder's pass page, as the API's JSON
 * elsewhere, so a load balancer's health check and a door's scanner both wait and retry.
 */
export function createStartingApp() {
  return new Hono().get('/p/*', tryAgainSoon).all('*', (c) =>
    c.json({ error: 'Server is starting; try again in a few seconds' }, 503, {
      'Retry-After': RETRY_AFTER_SECONDS,
    }),
  );
}

export function createApp(services: Services) {
  const { db, logger, disk } = services;
  const app = new OpenAPIHono();
  app.onError(errorHandler(logger, { onDiskFull: disk.full }));
  app.notFound((c) => c.json({ error: noSuchEndpoint(c.req.method, c.req.path) }, 404));
  app.use('*', requestLog({ logger }));

  app.get('/healthz', async (c) => {
    if (disk.low()) {
      return c.json({ error: 'Disk nearly full: writes are refused' }, 503, {
        'Retry-After': DISK_FULL_RETRY_AFTER_SECONDS,
      });
    }
    try {
      await withDeadline(
        sql`SELECT 1`.execute(db),
        HEALTH_CHECK_DEADLINE_MS,
        () => new Error(`no answer within ${HEALTH_CHECK_DEADLINE_MS} ms`),
      );
      return c.json({ status: 'ok' }, 200);
    } catch (error) {
      logger.warn({ err: error }, 'health check failed');
      return c.json({ error: 'Database unreachable' }, 503, { 'Retry-After': RETRY_AFTER_SECONDS });
    }
  });
  app.get('/', (c) => c.redirect('/docs'));
  app.route(API_BASE, createApi(services));
  app.route('/', passPageRoutes(services));
  app.route('/', docsRoutes());
  app.route('/', scannerRoutes());
  app.route('/', dashboardRoutes());
  return app;
}
