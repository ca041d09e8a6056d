import { readFileSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { installErrorMessages } from '@passgate/shared';
import { phoneLinkProblem } from '@passgate/shared/core';
import { claimDataDir } from './admin/socket';
import { createApp, createStartingApp } from './app';
import { clientAddressOf } from './client-address';
import { answerClientErrorsInJson, answerUnreadableRequest } from './client-error';
import { type Config, loadConfig, publicUrlOf } from './config';
import { createDatabase } from './db/create';
import { inBackground } from './db/turns';
import { createScanQueue } from './domain/scans/queue';
import { RETRY_AFTER_SECONDS } from './errors';
import { createLogger } from './logger';
import { pruneIdempotencyKeys } from './middleware/idempotency';
import { connectRedis } from './redis';
import { startImportResumer } from './routes/passes/imports';
import { loadAppleWallet } from './services/apple-wallet';
import { createAttemptThrottle } from './services/attempt-throttle';
import { AUTH_CHANGES_CHANNEL, createCallerCache } from './services/callers';
import { createDevicePresence } from './services/device-presence';
import { watchDiskSpace } from './services/disk-space';
import { startEmbeddedUpkeep } from './services/embedded-upkeep';
import { loadGoogleWallet } from './services/google-wallet';
import { createLiveStreams } from './services/live-streams';
import { createMail } from './services/mail';
import { createPasswordHashing } from './services/password-hashing';
import { createRateLimits } from './services/rate-limits';
import { createScanFeeds } from './services/scan-feeds';
import { createSigningKeys, loadSigningSecret } from './services/signing-keys';
import { startWalletUpdates } from './services/wallet-updates';
import { startDeliveryWorker } from './services/webhook-delivery';
import { describeStartFailure, StartError } from './start-error';

const SHUTDOWN_GRACE_MS = 10_000;
const KEEP_ALIVE_MS = 65_000;

async function start() {
  installErrorMessages();
  const config = loadConfig();
  const logger = createLogger(config);
  // Files the configuration names are read first: a wrong one stops the start at once, before
  // a port is bound or a database is opened (or migrated) for nothing.
  const mail = createMail(config.mail, logger);
  const appleWallet = loadAppleWallet(config.appleWallet);
  const googleWallet = loadGoogleWallet(config.googleWallet);
  const redis = config.redisUrl ? await connectRedis(config.redisUrl) : undefined;
  // Bind before opening the database: a port that is taken fails the start at once, and with
  // PORT=0 the public URL can name the port actually bound. Until the app is built, every
  // request (health checks too) is told the server is starting.
  let app: ReturnType<typeof createApp> | undefined;
  let stopping = false;
  const starting = createStartingApp();
  const listener = getRequestListener(
    (request, env) => (stopping ? stoppingAnswer() : (app ?? starting).fetch(request, env)),
    { errorHandler: answerUnreadableRequest(logger) },
  );
  // Node would answer an HTTP/1.1 request without Host itself, with an empty 400; let it
  // through to the listener, which answers it (400) as it answers every unreadable URL.
  const server = config.tls
    ? httpsServer(config.tls, listener)
    : createServer({ requireHostHeader: false }, listener);
  // Idle connections stay open longer than a load balancer keeps its own (AWS: 60 s), so it never
  // sends a request down one that the server is closing (a 502 at the door); Node's default is
  // 5 s. A phone between scans also keeps its connection. Headers must be allowed longer still.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
  answerClientErrorsInJson(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(portError(error, config)));
    server.listen(config.port, config.host, () => resolve());
  });
  // On the embedded database, claim DATA_DIR before opening it: another process may hold it.
  const dataDirClaim = config.databaseUrl
    ? undefined
    : await claimDataDir(config.dataDir, 'a Passgate server');
  const database = await createDatabase(config);
  const applied = await database.migrate();
  if (applied.length) logger.info({ migrations: applied }, 'migrations applied');
  // Work nobody waits for at a door takes its turns on the embedded database between requests.
  const upkeep =
    database.kind === 'pglite'
      ? await inBackground(() => startEmbeddedUpkeep({ db: database.db, logger }))
      : { stop: async () => {} };
  const rateLimits = createRateLimits({
    redis: redis?.client,
    pool: database.counterPool,
    logger,
  });
  const callers = createCallerCache();
  const stopListening = await database.listen(AUTH_CHANGES_CHANNEL, {
    onNotify: callers.invalidate,
    onListening(listening) {
      callers.setListening(listening);
      if (listening) logger.info('listening for key and tenant changes');
      // Stopping ends the listening on purpose; only a lost connection is worth a warning.
      else if (!stopping)
        logger.warn(
          'not listening for key and tenant changes: reading every key from the database',
        );
    },
  });

  const liveStreams = createLiveStreams();
  const scanFeeds = createScanFeeds({ db: database.db, logger });
  const disk = await watchDiskSpace({
    dir: config.databaseUrl ? undefined : config.dataDir,
    marginBytes: config.diskFreeMarginBytes,
    logger,
  });
  const { port } = server.address() as AddressInfo;
  const publicUrl = publicUrlOf(config, port);
  const signingKeys = createSigningKeys(loadSigningSecret(config));
  await signingKeys.assertOpens(database.db);
  if (!signingKeys.enabled) {
    logger.warn('Passes carry no signed code: set SIGNING_SECRET (docs/configuration.md)');
  }
  app = createApp(
    {
      db: database.db,
      databaseAnswers: database.ping,
      publicUrl,
      logger,
      rateLimits,
      callers,
      devicePresence: createDevicePresence({ db: database.db }),
      liveStreams,
      scanFeeds,
      scans: createScanQueue({ db: database.db, publicUrl, concurrency: config.scanConcurrency }),
      throttle: createAttemptThrottle(rateLimits),
      passwords: createPasswordHashing(),
      clientAddress: clientAddressOf(config.trustProxy),
      disk,
      webhooks: config.webhooks,
      mail,
      appleWallet,
      googleWallet,
      signingKeys,
    },
    { scannerDist: config.scannerDist },
  );
  const deliveries = inBackground(() =>
    startDeliveryWorker({ db: database.db, logger, config: config.webhooks, paused: disk.low }),
  );
  const walletUpdates = inBackground(() =>
    startWalletUpdates({
      db: database.db,
      appleWallet,
      googleWallet,
      publicUrl,
      logger,
      signingKeys,
      pollMs: config.webhooks.pollMs,
    }),
  );
  const imports = inBackground(() =>
    startImportResumer(database.db, { publicUrl, logger, alone: database.kind === 'pglite' }),
  );

  dataDirClaim?.serve({ db: database.db, publicUrl });
  const housekeeping = setInterval(
    () => pruneIdempotencyKeys(database.db).catch((err) => logger.warn({ err }, 'pruning failed')),
    60 * 60 * 1000,
  );
  housekeeping.unref();

  async function shutdown(signal: string) {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    clearInterval(housekeeping);
    disk.stop();
    const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    force.unref();
    liveStreams.endAll();
    scanFeeds.stop();
    await new Promise((resolve) => server.close(resolve));
    await deliveries.stop();
    await walletUpdates.stop();
    await imports.stop();
    await upkeep.stop();
    await stopListening();
    rateLimits.close();
    mail?.close();
    await redis?.close();
    dataDirClaim?.serve(undefined); // commands from now on are told to wait
    await database.close();
    await dataDirClaim?.close(); // only now may another process open DATA_DIR
    logger.info('stopped');
    process.exit(0);
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // Only now: whoever waits for this line may stop the server at once, and be heard.
  logger.info(
    {
      url: `${config.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
      port,
      publicUrl,
      database: database.kind,
      rateLimits: rateLimits.store,
    },
    'listening',
  );
  // Links to this very computer are what a first try on a laptop has: said, not warned of.
  const forPhones = phoneLinkProblem(publicUrl);
  if (forPhones) {
    logger[forPhones.loopback ? 'info' : 'warn']({ publicUrl }, `PUBLIC_URL ${forPhones.words}`);
  }
}

/**
 * What a request that arrives on a kept-alive connection while the server stops is told: try
 * again (another instance, or this one once restarted), and the connection closes with it, so
 * that the graceful stop need not wait for it.
 */
const stoppingAnswer = () =>
  Response.json(
    { error: 'Server is stopping; try again in a few seconds' },
    { status: 503, headers: { 'Retry-After': RETRY_AFTER_SECONDS, Connection: 'close' } },
  );

/**
 * An HTTPS server with the certificate and key of `TLS_CERT_FILE` and `TLS_KEY_FILE`, or a start
 * error saying why they cannot be used.
 */
function httpsServer(tls: NonNullable<Config['tls']>, listener: RequestListener) {
  const read = (file: string, variable: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new StartError(`${variable} ${file}: ${(error as Error).message}`);
    }
  };
  const cert = read(tls.certFile, 'TLS_CERT_FILE');
  const key = read(tls.keyFile, 'TLS_KEY_FILE');
  try {
    return createHttpsServer({ requireHostHeader: false, cert, key }, listener);
  } catch (error) {
    throw new StartError(
      `TLS_CERT_FILE and TLS_KEY_FILE cannot be used together: ${(error as Error).message}`,
    );
  }
}

/** The listen error in words, where the operator can act on it. */
function portError(error: NodeJS.ErrnoException, config: Pick<Config, 'port' | 'host'>) {
  const at = `${config.host}:${config.port}`;
  if (error.code === 'EADDRINUSE')
    return new StartError(
      `PORT ${config.port} is in use: another process listens on ${at}; stop it or set PORT`,
    );
  if (error.code === 'EACCES')
    return new StartError(
      `PORT ${config.port}: not allowed to listen on ${at} (ports below 1024 need privileges); set PORT`,
    );
  if (error.code === 'EADDRNOTAVAIL')
    return new StartError(`HOST ${config.host} is not an address of this machine; set HOST`);
  return error;
}

start().catch((error: unknown) => {
  const message = error instanceof StartError ? error.message : describeStartFailure(error);
  process.stderr.write(`${message}\n`);
  if (!(error instanceof StartError) && /^(debug|trace)$/.test(process.env.LOG_LEVEL ?? '')) {
    process.stderr.write(`${error instanceof Error ? error.stack : ''}\n`);
  }
  process.exit(1);
});
