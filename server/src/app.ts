import { OpenAPIHono } from '@hono/zod-openapi';
import { Hono } from 'hono';
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
import { knownRoutesOnly, type RouteTable, routeTableOf } from './middleware/route-table';
import { sameOriginWrites } from './middleware/same-origin';
import { requireStorableText } from './middleware/storable-text';
import { withMiddlewareParts } from './openapi';
import { dashboardRoutes } from './pages/dashboard';
import { docsRoutes } from './pages/docs';
import { imageRoutes } from './pages/images';
import { passPageRoutes, tryAgainSoon } from './pages/pass-page';
import { scannerRoutes } from './pages/scanner';
import { walletRoutes } from './pages/wallet';
import { accountRoutes } from './routes/account';
import { clientRoutes } from './routes/clients';
import { deviceRoutes } from './routes/devices';
import { keyRoutes } from './routes/keys';
import { locationRoutes } from './routes/locations';
import { meRoutes } from './routes/me';
import { passRoutes } from './routes/passes';
import { scanIdentity, scanRoutes } from './routes/scan';
import { scanListRoutes } from './routes/scans';
import { sessionRoutes } from './routes/session';
import { signingKeyRoutes } from './routes/signing-keys';
import { createRouter } from './routes/support';
import { syncRoutes } from './routes/sync';
import { templateRoutes } from './routes/templates';
import { triggerRoutes } from './routes/triggers';
import { uploadRoutes } from './routes/uploads';
import { userRoutes } from './routes/users';
import { webhookRoutes } from './routes/webhooks';
import type { Services } from './services';
import { createAttemptThrottle } from './services/attempt-throttle';
import { createPasswordHashing } from './services/password-hashing';
import { createRateLimits } from './services/rate-limits';

const API_BASE = '/api/v1';
/** A load balancer's health check is answered within this, even while the database stalls. */
const HEALTH_CHECK_DEADLINE_MS = 1_500;
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
        'X-Total-Count-Estimated',
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

  // Every route declares who may call it, its rate group and its body limit (`defineRoute`);
  // the middleware reads that from the route table, built once every route is mounted.
  let table: RouteTable | undefined;
  const routes = () => {
    if (!table) throw new Error('the route table is read before the routes are mounted');
    return table;
  };
  api.use('*', knownRoutesOnly({ routes }));
  api.use('*', refuseWritesWhileDiskLow({ disk: services.disk }));
  api.use('*', authenticate({ db, callers }));
  api.use('*', sameOriginWrites({ publicUrl: services.publicUrl }));
  api.use('*', noteDeviceSeen({ presence: devicePresence }));
  // Both after the key, as they read the body (the limit counts a chunked one): a caller without
  // a key is refused before its body is read or, with `Expect: 100-continue`, even sent.
  api.use('*', limitBody());
  api.use('*', requireStorableText());
  api.use('*', authorize({ routes }));
  api.use('*', rateLimit({ rateLimits }));
  api.use('*', idempotency({ db, sameRequest: { [`${API_BASE}/scan`]: scanIdentity } }));

  api.route('/', passRoutes(services));
  api.route('/', clientRoutes(services));
  api.route('/', locationRoutes(services));
  api.route('/', templateRoutes(services));
  api.route('/', signingKeyRoutes(services));
  api.route('/', scanRoutes(services));
  api.route('/', scanListRoutes(services));
  api.route('/', syncRoutes(services));
  api.route('/', uploadRoutes(services));
  api.route('/', deviceRoutes(services));
  api.route('/', meRoutes(services));
  api.route('/', accountRoutes(services));
  api.route('/', keyRoutes(services));
  api.route('/', userRoutes(services));
  api.route('/', sessionRoutes(services));
  api.route('/', triggerRoutes(services));
  api.route('/', webhookRoutes(services));
  table = routeTableOf(api, API_BASE);
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
        contact: { name: 'Passgate on this server', url: `${publicUrl}/docs` },
        license: { name: 'Proprietary: all rights reserved', url: `${publicUrl}/docs` },
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
    databaseAnswers: unused,
    publicUrl,
    logger: unused,
    rateLimits,
    callers: unused,
    devicePresence: unused,
    liveStreams: unused,
    scanFeeds: unused,
    scans: unused,
    throttle: createAttemptThrottle(rateLimits),
    passwords: createPasswordHashing(),
    clientAddress: clientAddressOf(null),
    disk: unused,
    webhooks: unused,
    mail: undefined,
    appleWallet: undefined,
    googleWallet: undefined,
    signingKeys: unused,
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

/**
 * The whole server: the API, the pass pages, /docs and the built apps. `apps.scannerDist` is the
 * scanner build to serve (`SCANNER_DIST`), `scanner/dist` when unset.
 */
export function createApp(services: Services, apps: { scannerDist?: string | undefined } = {}) {
  const { logger, disk } = services;
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
        services.databaseAnswers(),
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
  app.route('/', imageRoutes(services));
  app.route('/', walletRoutes(services));
  app.route('/', docsRoutes());
  app.route('/', scannerRoutes({ dist: apps.scannerDist }));
  app.route('/', dashboardRoutes());
  return app;
}
