import { Hono } from 'hono';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../test/support/test-database';
import { ACCESS, type DeclaredAccess } from '../access';
import type { Caller } from '../domain/callers';
import { sha256 } from '../domain/ids';
import { ApiError, errorHandler } from '../errors';
import type { ApiEnv } from './env';
import { commitChange, idempotency, pruneIdempotencyKeys } from './idempotency';

const HOUR = 60 * 60 * 1000;
const ROUTE: DeclaredAccess = {
  operationId: 'change',
  method: 'POST',
  path: '/change',
  summary: 'Change',
  access: ACCESS.team,
  open: false,
  rateGroup: 'core',
  maxBodyBytes: 1024,
};
const database = useTestDatabase();

/** An app with one keyed change, on a clock the test moves; `runs` counts the changes made. */
function appOnClock() {
  const clock = { now: new Date('2030-01-01T12:00:00Z') };
  const state = { runs: 0 };
  const app = new Hono<ApiEnv>();
  app.onError(errorHandler(pino({ level: 'silent' })));
  app.use('*', async (c, next) => {
    c.set('route', ROUTE);
    c.set('caller', { key: { id: database.apiKeyId } } as Caller);
    await next();
  });
  app.use('*', idempotency({ db: database.handle.db, now: () => clock.now }));
  app.post('/change', async (c) => {
    state.runs++;
    const answer = await commitChange(c, database.handle.db, async () => ({
      status: 201 as const,
      body: { run: state.runs },
    }));
    return c.json(answer.body, answer.status);
  });
  // Records its answer, then fails in the same transaction: the answer is rolled back with it.
  app.post('/fails-after-answer', async (c) => {
    state.runs++;
    await database.handle.db.transaction().execute(async (trx) => {
      await c.get('idempotency')?.commit(trx, { status: 201, body: { run: state.runs } });
      throw new ApiError(409, 'The change could not be made');
    });
    return c.json({ unreachable: true });
  });
  const send = (key: string, path = '/change') =>
    app.request(path, { method: 'POST', headers: { 'idempotency-key': key }, body: '{}' });
  const later = (ms: number) => {
    clock.now = new Date(clock.now.getTime() + ms);
  };
  return { send, later, state, clock };
}

describe('Idempotency-Key claims, on an injected clock', () => {
  it('replays for 24 hours, then runs the request afresh', async () => {
    const { send, later, state } = appOnClock();
    expect(await (await send('day')).json()).toEqual({ run: 1 });
    later(23 * HOUR);
    const replay = await send('day');
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toEqual({ run: 1 });
    later(HOUR + 1000);
    expect(await (await send('day')).json()).toEqual({ run: 2 });
    expect(state.runs).toBe(2);
  });

  it('lets the key be used again when the transaction that recorded its answer fails', async () => {
    const { send, state } = appOnClock();
    const failed = await send('rolled-back', '/fails-after-answer');
    expect(failed.status).toBe(409);
    expect(await failed.json()).toEqual({ error: 'The change could not be made' });
    // Not "still being processed", and no replay of an answer that was never committed.
    const again = await send('rolled-back', '/fails-after-answer');
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: 'The change could not be made' });
    expect(state.runs).toBe(2);
  });

  it('takes over a claim abandoned by a process that died, once a minute has passed', async () => {
    const { send, later, state, clock } = appOnClock();
    // A claim another process made and never finished: still `running`.
    await database.handle.db
      .insertInto('idempotency_keys')
      .values({
        api_key_id: database.apiKeyId,
        key: 'abandoned',
        fingerprint: sha256('POST /change\n{}'),
        state: 'running',
        created_at: clock.now,
      })
      .execute();
    later(30_000);
    const busy = await send('abandoned');
    expect(busy.status).toBe(409);
    expect(state.runs).toBe(0);
    later(31_000);
    const taken = await send('abandoned');
    expect(taken.status).toBe(201);
    expect(await taken.json()).toEqual({ run: 1 });
    expect(state.runs).toBe(1);
  });

  it('prunes answers older than the window, and keeps the rest', async () => {
    const { send, later, clock } = appOnClock();
    const start = clock.now.getTime();
    await send('old');
    later(2 * HOUR);
    await send('recent');
    const keys = async () =>
      (
        await database.handle.db
          .selectFrom('idempotency_keys')
          .select('key')
          .where('api_key_id', '=', database.apiKeyId)
          .where('key', 'in', ['old', 'recent'])
          .orderBy('key')
          .execute()
      ).map((row) => row.key);
    await pruneIdempotencyKeys(database.handle.db, new Date(start + 24 * HOUR));
    expect(await keys()).toEqual(['old', 'recent']);
    await pruneIdempotencyKeys(database.handle.db, new Date(start + 24 * HOUR + 1000));
    expect(await keys()).toEqual(['recent']);
    await pruneIdempotencyKeys(database.handle.db, new Date(start + 26 * HOUR + 1000));
    expect(await keys()).toEqual([]);
  });
});
