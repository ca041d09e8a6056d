import { type Kysely, sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { type Dispatcher, fetch } from 'undici';
import type { Config } from '../config';
import type { Database } from '../db/schema';
import { newId } from '../domain/ids';
import { inReadingOrder } from '../events';
import type { Logger } from '../logger';
import { nextAttemptAt, parseRetryAfter } from './schedule';
import { refuseTargetUrl, webhookDispatcher } from './target';

const BATCH = 20;

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
 * Takes due deliveries under a lease. `FOR UPDATE SKIP LOCKED` lets several server instances
 * poll at once without taking the same delivery; the lease (`locked_until`) keeps it theirs while
 * they send, and lets another instance take it over if this one dies mid-send.
 */
async function claimDue(db: Kysely<Database>, now: Date, leaseMs: number): Promise<DueDelivery[]> {
  const { rows } = await sql<DueDelivery>`
    WITH due AS (
      SELECT webhook_id, event_id FROM webhook_deliveries
       WHERE state = 'pending' AND next_attempt_at <= ${now}
         AND (locked_until IS NULL OR locked_until < ${now})
       ORDER BY next_attempt_at
       LIMIT ${BATCH}
       FOR UPDATE SKIP LOCKED
    ), claimed AS (
      UPDATE webhook_deliveries d SET locked_until = ${new Date(now.getTime() + leaseMs)}
        FROM due WHERE d.webhook_id = due.webhook_id AND d.event_id = due.event_id
      RETURNING d.webhook_id, d.event_id, d.attempts
    )
    SELECT claimed.*, w.target_url, w.secret, e.type, e.data, e.created_at AS event_created_at
      FROM claimed
      JOIN webhooks w ON w.id = claimed.webhook_id
      JOIN events e ON e.id = claimed.event_id`.execute(db);
  return rows;
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
    const response = await fetch(delivery.target_url, {
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

/** "fetch failed: connect ECONNREFUSED 10.0.0.5:443" rather than just "fetch failed". */
function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause ? `${error.message}: ${cause}` : error.message;
}

export interface DeliveryWorker {
  stop(): Promise<void>;
}

/** Polls for due deliveries and sends them, until stopped; one per server process. */
export function startDeliveryWorker(options: {
  db: Kysely<Database>;
  logger: Logger;
  config: Config['webhooks'];
}): DeliveryWorker {
  const { db, logger, config } = options;
  const dispatcher = webhookDispatcher(config.allowPrivate);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  async function tick() {
    const due = await claimDue(db, new Date(), config.timeoutMs + 5_000);
    await Promise.all(
      due.map(async (delivery) => {
        const started = performance.now();
        const outcome = await send(delivery, config, dispatcher);
        await settle(db, delivery, outcome, performance.now() - started, config);
        if (outcome.error)
          logger.info(
            { webhook: delivery.webhook_id, event: delivery.event_id, error: outcome.error },
            'webhook attempt failed',
          );
      }),
    );
    return due.length;
  }

  function schedule(delay: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick()
        .then((count) => schedule(count === BATCH ? 0 : config.pollMs))
        .catch((err) => {
          logger.error({ err }, 'webhook delivery failed');
          schedule(config.pollMs);
        });
    }, delay);
  }
  schedule(0);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await dispatcher.close();
    },
  };
}
