import { IDEMPOTENCY_KEY_PATTERN } from '@passgate/shared';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema';
import { sha256 } from '../domain/ids';
import { ApiError } from '../errors';
import { type ApiEnv, isOpenRoute } from './env';

/** A first request's answer is replayed for this long. */
const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
/**
 * A claim still "running" after this long belongs to a process that died before committing (the
 * answer is committed with the change it describes), so it may be claimed again safely.
 */
const ABANDONED_AFTER_MS = 60 * 1000;

/** 422: the key was used with another request (another body, path, or scan code). */
export const idempotencyKeyReused = () =>
  new ApiError(422, 'Idempotency-Key was already used with a different request body or path');

/**
 * The IETF Idempotency-Key header: the same key and body within 24 h answers the first answer
 * again and does nothing twice; the same key with another body is 422; a repeat while the
 * first is still running is 409.
 */
export function idempotency(options: {
  db: Kysely<Database>;
  /** The clock; tests move it to reach the 24-hour window and an abandoned claim's minute. */
  now?: () => Date;
  /**
   * By path, what makes two bodies the same request, where that is less than the whole body:
   * a door's scan and its later offline upload (with `offline`, `scannedAt`, `localResult`)
   * are one scan of one code under one key.
   */
  sameRequest?: Record<string, (body: string) => string>;
}): MiddlewareHandler<ApiEnv> {
  const { db, now: clock = () => new Date(), sameRequest = {} } = options;
  return async function idempotencyMiddleware(c, next) {
    const key = c.req.header('idempotency-key');
    const apiKeyId = isOpenRoute(c) ? undefined : c.get('caller').key?.id;
    // Answers are kept per API key; a person in the dashboard sees each answer as it comes.
    if (key === undefined || c.req.method !== 'POST' || !apiKeyId) return next();
    if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
      throw new ApiError(400, 'Idempotency-Key must be 1 to 255 visible ASCII characters');
    }
    const body = await c.req.text();
    const essence = sameRequest[c.req.path]?.(body) ?? body;
    const fingerprint = sha256(`${c.req.method} ${c.req.path}\n${essence}`);
    const now = clock();

    const claimed = await db
      .insertInto('idempotency_keys')
      .values({ api_key_id: apiKeyId, key, fingerprint, state: 'running', created_at: now })
      .onConflict((oc) =>
        oc
          .columns(['api_key_id', 'key'])
          .doUpdateSet({
            fingerprint,
            state: 'running',
            created_at: now,
            response_status: null,
            response_body: null,
          })
          .where((eb) =>
            eb.or([
              eb(
                'idempotency_keys.created_at',
                '<',
                new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS),
              ),
              eb.and([
                eb('idempotency_keys.state', '=', 'running'),
                eb(
                  'idempotency_keys.created_at',
                  '<',
                  new Date(now.getTime() - ABANDONED_AFTER_MS),
                ),
              ]),
            ]),
          ),
      )
      .returning('key')
      .executeTakeFirst();

    if (!claimed) {
      const first = await db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('api_key_id', '=', apiKeyId)
        .where('key', '=', key)
        .executeTakeFirstOrThrow();
      if (first.fingerprint !== fingerprint) throw idempotencyKeyReused();
      if (first.state === 'running') {
        throw new ApiError(
          409,
          'A request with this Idempotency-Key is still being processed; retry shortly',
          {
            'Retry-After': '1',
          },
        );
      }
      return c.body(first.response_body ?? '', first.response_status as ContentfulStatusCode, {
        'content-type': 'application/json',
        'Idempotent-Replayed': 'true',
      });
    }

    const claim = new IdempotencyClaim(apiKeyId, key);
    c.set('idempotency', claim);
    try {
      await next();
    } finally {
      // Nothing was committed under this key (an error, or no change at all): let it be retried.
      // A request that failed (Hono's onError answered it, and sets `c.error`) may have recorded
      // its answer in a transaction that then rolled back: its key is still `running`. An answer
      // that committed is `done`, and stays.
      if (!claim.recorded || c.error) {
        await db
          .deleteFrom('idempotency_keys')
          .where('api_key_id', '=', apiKeyId)
          .where('key', '=', key)
          .where('state', '=', 'running')
          .execute();
      }
    }
  };
}

/**
 * A request's claim on its Idempotency-Key, set on the context by `idempotency`. The handler
 * stores its answer with `commit(trx, answer)` in the transaction of the change the answer
 * describes, so that a crash can never leave a change without its answer, nor the reverse.
 */
export class IdempotencyClaim {
  #recorded = false;

  constructor(
    readonly apiKeyId: string,
    readonly key: string,
  ) {}

  /**
   * Whether `commit` stored an answer. Its transaction may still have failed after it: the
   * request then failed too, and the middleware releases the key.
   */
  get recorded(): boolean {
    return this.#recorded;
  }

  commit(trx: Transaction<Database>, answer: Answer<unknown, ContentfulStatusCode>) {
    return IdempotencyClaim.commitAll(trx, [{ claim: this, answer }]);
  }

  /** Stores the answers of several requests in one statement (the scan queue's batches). */
  static async commitAll(
    trx: Transaction<Database>,
    answered: ReadonlyArray<{
      claim: IdempotencyClaim;
      answer: Answer<unknown, ContentfulStatusCode>;
    }>,
  ): Promise<void> {
    if (answered.length === 0) return;
    await sql`
      UPDATE idempotency_keys
         SET state = 'done', response_status = answer.status, response_body = answer.body
        FROM unnest(${answered.map(({ claim }) => claim.apiKeyId)}::text[],
                    ${answered.map(({ claim }) => claim.key)}::text[],
                    ${answered.map(({ answer }) => answer.status)}::int[],
                    ${answered.map(({ answer }) => JSON.stringify(answer.body))}::text[])
          AS answer (api_key_id, key, status, body)
       WHERE idempotency_keys.api_key_id = answer.api_key_id AND idempotency_keys.key = answer.key`.execute(
      trx,
    );
    for (const { claim } of answered) claim.#recorded = true;
  }
}

export interface Answer<B, S extends ContentfulStatusCode> {
  status: S;
  body: B;
}

/**
 * Runs a change in one transaction and, when the request carries an Idempotency-Key, commits its
 * answer in that same transaction (`IdempotencyClaim.commit`).
 */
export async function commitChange<B, S extends ContentfulStatusCode>(
  c: Context<ApiEnv>,
  db: Kysely<Database>,
  change: (trx: Transaction<Database>) => Promise<Answer<B, S>>,
): Promise<Answer<B, S>> {
  const claim = c.get('idempotency');
  return db.transaction().execute(async (trx) => {
    const answer = await change(trx);
    await claim?.commit(trx, answer);
    return answer;
  });
}

/** Removes answers older than the replay window. */
export async function pruneIdempotencyKeys(db: Kysely<Database>, now = new Date()) {
  await db
    .deleteFrom('idempotency_keys')
    .where('created_at', '<', new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS))
    .execute();
}
