import { type Kysely, sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { type Dispatcher, fetch } from 'undici';
import type { Config } from '../config';
import type { Database } from '../db/schema';
import { newId } from '../domain/ids';
import { inReadingOrder } from '../events';
import type { Logger } from '../logger';
import { nextAttemptAt, parseRetryAfter } from '../webhooks/schedule';
import { refuseTargetUrl, webhookDispatcher } from '../webhooks/target';

/**
 * Sending is fair between tenants: one process has at most `MAX_IN_FLIGHT` deliveries on their
 * way, a tenant at most `PER_TENANT` (across every instance, counted by their leases) and one
 * endpoint at most `PER_WEBHOOK`. A tenant whose receivers never answer holds a few slots for a
 * timeout each, never the worker: every other tenant's deliveries go out meanwhile.
 */
const MAX_IN_FLIGHT = 32;
const PER_TENANT = 4;
const PER_WEBHOOK = 2;
/**
 * A delivery's lease, renewed every third of it while it is being sent: an instance that dies
 * mid-send holds its deliveries (and its tenant's share) for at most this long.
 */
const LEASE_MS = 6_000;

interface DueDelivery {
  webhook_id: string;
  event_id: string;
  attempts: number;
  target_url: string;
  secret: string;
  type: string;
  data: Record<string, unknown>;
  event_created_at: Date;
}

interface Outcome {
  statusCode: number | null;
  error: string | null;
  retryAfter?: number;
}

/**
 * Takes up to `limit` due deliveries under a lease, oldest first, within each tenant's and
 * endpoint's share. The lease (`locked_until`) keeps a delivery an instance's while it sends,
 * counts against the shares, and lets another instance take it over if this one dies mid-send.
 * Instances claim one at a time (a transaction-level advisory lock, held for the one statement):
 * each then counts the leases the one before it took, so the shares hold across instances.
 */
async function claimDue(
  db: Kysely<Database>,
  now: Date,
  leaseMs: number,
  limit: number,
): Promise<DueDelivery[]> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${CLAIM_LOCK})`.execute(trx);
    const { rows } = await claimStatement(now, leaseMs, limit).execute(trx);
    return rows;
  });
}

/** Any constant, the same in every instance: the advisory lock that serializes claims. */
const CLAIM_LOCK = 0x7061_7373; // "pass"

/**
 * The claim, reading indexes in order: the endpoints with pending deliveries one probe each (a
 * loose index scan of `webhook_deliveries_pending`), the due head of each endpoint's range up
 * to its share, and only then the tenants' shares among those heads. A backlog of thousands
 * costs a claim what its endpoints cost, not what its deliveries do.
 */
export function claimStatement(now: Date, leaseMs: number, limit: number) {
  return sql<DueDelivery>`
    WITH RECURSIVE hooks AS (
      (SELECT webhook_id FROM webhook_deliveries WHERE state = 'pending'
        ORDER BY webhook_id LIMIT 1)
      UNION ALL
      SELECT (SELECT d.webhook_id FROM webhook_deliveries d
               WHERE d.state = 'pending' AND d.webhook_id > h.webhook_id
               ORDER BY d.webhook_id LIMIT 1)
        FROM hooks h WHERE h.webhook_id IS NOT NULL
    ), leased AS (
      SELECT tenant_id, webhook_id FROM webhook_deliveries
       WHERE state = 'pending' AND locked_until >= ${now}
    ), heads AS (
      SELECT c.*,
             row_number() OVER (PARTITION BY c.webhook_id ORDER BY c.next_attempt_at, c.event_id)
               + (SELECT count(*) FROM leased l WHERE l.webhook_id = c.webhook_id) AS webhook_place
        FROM hooks h
        CROSS JOIN LATERAL (
          SELECT d.webhook_id, d.event_id, d.tenant_id, d.next_attempt_at
            FROM webhook_deliveries d
           WHERE d.webhook_id = h.webhook_id AND d.state = 'pending'
             AND d.next_attempt_at <= ${now}
             AND (d.locked_until IS NULL OR d.locked_until < ${now})
           ORDER BY d.next_attempt_at, d.event_id
           LIMIT ${PER_WEBHOOK}
        ) c
    ), ranked AS (
      SELECT r.*,
             row_number() OVER (PARTITION BY r.tenant_id ORDER BY r.next_attempt_at, r.event_id)
               + (SELECT count(*) FROM leased l WHERE l.tenant_id = r.tenant_id) AS tenant_place
        FROM heads r WHERE r.webhook_place <= ${PER_WEBHOOK}
    ), due AS (
      SELECT d.webhook_id, d.event_id FROM webhook_deliveries d
        JOIN ranked r ON r.webhook_id = d.webhook_id AND r.event_id = d.event_id
       WHERE r.tenant_place <= ${PER_TENANT}
         AND d.state = 'pending' AND (d.locked_until IS NULL OR d.locked_until < ${now})
       ORDER BY r.next_attempt_at
       LIMIT ${limit}
       FOR UPDATE OF d SKIP LOCKED
    ), claimed AS (
      UPDATE webhook_deliveries d SET locked_until = ${new Date(now.getTime() + leaseMs)}
        FROM due WHERE d.webhook_id = due.webhook_id AND d.event_id = due.event_id
      RETURNING d.webhook_id, d.event_id, d.attempts
    )
    SELECT claimed.*, w.target_url, w.secret, e.type, e.data, e.created_at AS event_created_at
      FROM claimed
      JOIN webhooks w ON w.id = claimed.webhook_id
      JOIN events e ON e.id = claimed.event_id`;
}

async function send(
  delivery: DueDelivery,
  config: Config['webhooks'],
  dispatcher: Dispatcher,
): Promise<Outcome> {
  const refused = refuseTargetUrl(delivery.target_url, config.allowPrivate);
  if (refused) return { statusCode: null, error: refused };
  const body = JSON.stringify({
    id: delivery.event_id,
    event: delivery.type,
    createdAt: delivery.event_created_at.toISOString(),
    data: inReadingOrder(delivery.data),
  });
  const timestamp = new Date();
  try {
    const response = await postOnce(delivery.target_url, {
      method: 'POST',
      body,
      redirect: 'manual',
      dispatcher,
      signal: AbortSignal.timeout(config.timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Passgate-Webhooks/1',
        'webhook-id': delivery.event_id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': new Webhook(delivery.secret).sign(delivery.event_id, timestamp, body),
      },
    });
    await response.body?.cancel();
    if (response.status >= 200 && response.status < 300)
      return { statusCode: response.status, error: null };
    return {
      statusCode: response.status,
      error: `HTTP ${response.status}`,
      retryAfter: [429, 503].includes(response.status)
        ? parseRetryAfter(response.headers.get('retry-after'), new Date())
        : undefined,
    };
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    return {
      statusCode: null,
      error: timedOut ? `no answer within ${config.timeoutMs} ms` : describeNetworkError(error),
    };
  }
}

/**
 * A kept-alive connection that the receiver closed as the delivery was written to it fails
 * with "other side closed" before the receiver saw anything: sent again at once, on a new
 * connection, as part of the same attempt.
 */
async function postOnce(url: string, init: Parameters<typeof fetch>[1]) {
  try {
    return await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    if (cause?.code !== 'UND_ERR_SOCKET' || init?.signal?.aborted) throw error;
    return fetch(url, init);
  }
}

/** Records one attempt and moves the delivery on: delivered, retried later, or given up. */
async function settle(
  db: Kysely<Database>,
  delivery: DueDelivery,
  outcome: Outcome,
  durationMs: number,
  config: Config['webhooks'],
) {
  const now = new Date();
  const attempts = delivery.attempts + 1;
  const delivered =
    outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
  const gone = outcome.statusCode === 410;
  const retryAt =
    delivered || gone
      ? undefined
      : nextAttemptAt(attempts, config.retrySchedule, now, outcome.retryAfter);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('webhook_deliveries')
      .set({
        attempts,
        state: delivered ? 'delivered' : retryAt ? 'pending' : 'failed',
        next_attempt_at: retryAt ?? now,
        locked_until: null,
      })
      .where('webhook_id', '=', delivery.webhook_id)
      .where('event_id', '=', delivery.event_id)
      .execute();
    await trx
      .insertInto('webhook_attempts')
      .values({
        id: newId('att'),
        webhook_id: delivery.webhook_id,
        event_id: delivery.event_id,
        attempt: attempts,
        status_code: outcome.statusCode,
        duration_ms: Math.round(durationMs),
        error: outcome.error,
        next_retry_at: retryAt ?? null,
        attempted_at: now,
      })
      .execute();
    if (gone) {
      // 410 Gone: the receiver (Zapier, typically) dropped the hook; stop sending to it.
      await trx
        .updateTable('webhooks')
        .set({ active: false })
        .where('id', '=', delivery.webhook_id)
        .execute();
      await trx
        .updateTable('webhook_deliveries')
        .set({ state: 'failed', locked_until: null })
        .where('webhook_id', '=', delivery.webhook_id)
        .where('state', '=', 'pending')
        .execute();
    }
  });
}

/** Keeps the delivery this instance's for another lease, while it is still being sent. */
async function renewLease(db: Kysely<Database>, delivery: DueDelivery) {
  await db
    .updateTable('webhook_deliveries')
    .set({ locked_until: new Date(Date.now() + LEASE_MS) })
    .where('webhook_id', '=', delivery.webhook_id)
    .where('event_id', '=', delivery.event_id)
    .where('state', '=', 'pending')
    .where('locked_until', 'is not', null)
    .execute();
}

/** "fetch failed: connect ECONNREFUSED 10.0.0.5:443" rather than just "fetch failed". */
function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause ? `${error.message}: ${cause}` : error.message;
}

export interface DeliveryWorker {
  stop(): Promise<void>;
}

/**
 * Sends due deliveries until stopped; one per server process. Each delivery goes out on its own:
 * a free slot is filled at once, and the worker polls every `pollMs` for what became due.
 */
export function startDeliveryWorker(options: {
  db: Kysely<Database>;
  logger: Logger;
  config: Config['webhooks'];
  /** While true, nothing new is claimed (the disk is full: no attempt could be recorded). */
  paused?: () => boolean;
}): DeliveryWorker {
  const { db, logger, config, paused } = options;
  const dispatcher = webhookDispatcher(config.allowPrivate);
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let claiming: Promise<void> | undefined;
  let claimAgain = false;
  let timer: NodeJS.Timeout | undefined;

  async function deliver(delivery: DueDelivery) {
    const started = performance.now();
    const renewal = setInterval(() => {
      renewLease(db, delivery).catch((err) => logger.warn({ err }, 'webhook lease not renewed'));
    }, LEASE_MS / 3);
    let outcome: Outcome;
    try {
      outcome = await send(delivery, config, dispatcher);
    } finally {
      clearInterval(renewal);
    }
    await settle(db, delivery, outcome, performance.now() - started, config);
    if (outcome.error)
      logger.info(
        { webhook: delivery.webhook_id, event: delivery.event_id, error: outcome.error },
        'webhook attempt failed',
      );
  }

  /** Claims as many due deliveries as there are free slots and starts each. */
  function fill(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (claiming) {
      claimAgain = true;
      return claiming;
    }
    claiming = claimWhileFree().finally(() => {
      claiming = undefined;
    });
    return claiming;
  }

  async function claimWhileFree() {
    try {
      do {
        claimAgain = false;
        const free = MAX_IN_FLIGHT - inFlight.size;
        if (free <= 0) break;
        if (paused?.()) break;
        const due = await claimDue(db, new Date(), LEASE_MS, free);
        for (const delivery of due) {
          const sending: Promise<void> = deliver(delivery)
            .catch((err) => logger.error({ err }, 'webhook delivery failed'))
            .finally(() => {
              inFlight.delete(sending);
              void fill();
            });
          inFlight.add(sending);
        }
        // A full claim may have left more behind.
        if (due.length === free) claimAgain = true;
      } while (claimAgain && !stopped);
    } catch (err) {
      logger.error({ err }, 'webhook delivery failed');
    }
  }

  function poll() {
    if (stopped) return;
    void fill().finally(() => {
      if (!stopped) timer = setTimeout(poll, config.pollMs);
    });
  }
  poll();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await claiming;
      await Promise.all(inFlight);
      await dispatcher.close();
    },
  };
}
