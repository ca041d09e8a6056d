import { Hono } from 'hono';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { QueryTimeoutError } from './db/prepared';
import { errorHandler, isDatabaseOutOfReach, isDiskFull } from './errors';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('isDatabaseOutOfReach', () => {
  it('knows a database that is down, restarting, full, cut off or too slow to answer', () => {
    for (const error of [
      withCode('ECONNREFUSED'),
      withCode('ECONNRESET'),
      withCode('ETIMEDOUT'),
      withCode('08006'), // connection_failure
      withCode('08001'), // unable to establish a connection
      withCode('57P01'), // admin_shutdown
      withCode('57P03'), // cannot_connect_now (starting up)
      withCode('53300'), // too_many_connections
      // query_canceled: the server sets statement_timeout, and nothing else cancels a statement
      withCode('57014'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Client was closed and is not queryable'), // a rollback on a connection given up
      new QueryTimeoutError(6000), // no answer at all: a stalled link
    ]) {
      expect(
        isDatabaseOutOfReach(error),
        String((error as { code?: string }).code ?? error.message),
      ).toBe(true);
    }
  });

  it('leaves every other error a 500, to be logged and fixed', () => {
    for (const error of [
      withCode('23505'), // unique_violation: a bug of ours, not an outage
      withCode('3D000'), // the database does not exist: a configuration to fix
      withCode('42P01'), // undefined_table
      new TypeError('Cannot read properties of undefined'),
      'Connection terminated', // not an Error
    ]) {
      expect(isDatabaseOutOfReach(error), String(error)).toBe(false);
    }
  });
});

describe('isDiskFull', () => {
  it('knows a write that found no space, from the OS, PostgreSQL or the embedded database', () => {
    for (const error of [
      withCode('ENOSPC'),
      withCode('53100'), // disk_full
      new Error('could not extend file "base/5/16390": No space left on device'),
    ]) {
      expect(isDiskFull(error), String(error)).toBe(true);
    }
    for (const error of [withCode('53300'), withCode('23505'), 'No space left on device']) {
      expect(isDiskFull(error), String(error)).toBe(false);
    }
  });

  it('is answered 507 with Retry-After, and told once to whoever watches the disk', async () => {
    let told = 0;
    const app = new Hono();
    app.onError(errorHandler(pino({ level: 'silent' }), { onDiskFull: () => told++ }));
    app.post('/write', () => {
      throw withCode('53100', 'could not extend file: No space left on device');
    });
    const answer = await app.request('/write', { method: 'POST' });
    expect(answer.status).toBe(507);
    expect(answer.headers.get('retry-after')).toBe('30');
    expect(await answer.json()).toEqual({ error: expect.stringMatching(/disk is full/) });
    expect(told).toBe(1);
  });
});
