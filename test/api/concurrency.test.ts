import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { lockWaiters } from '../support/database';
import { type RunningServer, startServer } from '../support/server';
import { createTenant, http, type TestTenant } from '../support/tenant';

const databaseUrl = inject('databaseUrl');

async function newPass(tenant: TestTenant, body: Record<string, unknown>) {
  const res = await tenant.client.passes.create(body as never);
  if (!res.ok) throw new Error(res.error);
  return res.data;
}

type ScanAnswer = { success: boolean; result: string; pass: { code: string; usagesCount: number } };

/** Fires one scan of each code at once, spread over the given servers. */
async function scanEach(urls: string[], tenant: TestTenant, codes: string[]) {
  const answers = await Promise.all(
    codes.map((code, i) =>
      http(`${urls[i % urls.length]}/api/v1/scan`, { key: tenant.apiKey, json: { code } }),
    ),
  );
  expect(answers.map((a) => a.status)).toEqual(codes.map(() => 200));
  return answers.map((a) => a.body as ScanAnswer);
}

/** Codes in a random order. */
const shuffled = (codes: string[]) =>
  codes
    .map((code) => ({ code, order: Math.random() }))
    .sort((a, b) => a.order - b.order)
    .map(({ code }) => code);

/** Fires all scans at once, spread over the given servers. */
async function scanAll(urls: string[], tenant: TestTenant, code: string, count: number) {
  const answers = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      http(`${urls[i % urls.length]}/api/v1/scan`, {
        key: tenant.apiKey,
        json: { code, device: `door-${i}` },
      }),
    ),
  );
  expect(answers.every((a) => a.status === 200)).toBe(true);
  return answers.map(
    (a) => a.body as { success: boolean; result: string; pass: { usagesCount: number } },
  );
}

describe('concurrent scans on one server', () => {
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTenant();
  });

  it('admits a single pass exactly once under 100 parallel scans', async () => {
    const pass = await newPass(tenant, { type: 'single' });
    const before = await tenant.counts();
    const answers = await scanAll([tenant.server.url], tenant, pass.code, 100);
    expect(answers.filter((a) => a.success)).toHaveLength(1);
    expect(answers.filter((a) => a.result === 'already_used')).toHaveLength(99);
    const after = await tenant.counts();
    expect(after.scans - before.scans).toBe(100);
    // 100 pass.scanned + 1 pass.status_changed
    expect(after.events - before.events).toBe(101);
    const read = await tenant.client.passes.get(pass.id);
    expect(read.ok && read.data.usagesCount).toBe(1);
  });

  // The server decides the scans that arrive together in one statement (routes/scan/queue.ts):
  // each pass must still come out as if its scans had come one by one.
  it('decides 200 parallel scans of 20 passes as if each pass were scanned alone', async () => {
    const singles = await Promise.all(
      Array.from({ length: 10 }, () => newPass(tenant, { type: 'single' })),
    );
    const multis = await Promise.all(
      Array.from({ length: 10 }, () => newPass(tenant, { type: 'multi', maxUsages: 3 })),
    );
    const before = await tenant.counts();
    const codes = [...singles, ...multis].flatMap((pass) => Array(10).fill(pass.code) as string[]);
    const answers = await scanEach([tenant.server.url], tenant, shuffled(codes));
    const admittedOf = (code: string) =>
      answers.filter((a) => a.pass.code === code && a.success).map((a) => a.pass.usagesCount);
    for (const pass of singles) expect(admittedOf(pass.code)).toEqual([1]);
    for (const pass of multis) expect(admittedOf(pass.code).sort()).toEqual([1, 2, 3]);
    const after = await tenant.counts();
    expect(after.scans - before.scans).toBe(200);
    // 200 pass.scanned, and a pass.status_changed for each pass used up
    expect(after.events - before.events).toBe(220);
  });

  it('admits a multi pass with maxUsages 7 exactly 7 times under 50 parallel scans', async () => {
    const pass = await newPass(tenant, { type: 'multi', maxUsages: 7 });
    const answers = await scanAll([tenant.server.url], tenant, pass.code, 50);
    expect(answers.filter((a) => a.success)).toHaveLength(7);
    expect(answers.filter((a) => a.result === 'max_usages_reached')).toHaveLength(43);
    const counts = answers
      .filter((a) => a.success)
      .map((a) => a.pass.usagesCount)
      .sort((x, y) => x - y);
    expect(counts).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});

// PGlite is one process's database; several instances need PostgreSQL.
describe.skipIf(!databaseUrl)('two server processes on one PostgreSQL', () => {
  let second: RunningServer;
  let tenant: TestTenant;
  beforeAll(async () => {
    second = await startServer({ databaseUrl });
    tenant = await createTenant();
  });
  afterAll(async () => {
    await second?.stop();
  });

  it('admits a single pass exactly once when both scan it at once', async () => {
    const pass = await newPass(tenant, { type: 'single' });
    const answers = await scanAll([tenant.server.url, second.url], tenant, pass.code, 100);
    expect(answers.filter((a) => a.success)).toHaveLength(1);
  });

  it('admits a multi pass with maxUsages 7 exactly 7 times across both', async () => {
    const pass = await newPass(tenant, { type: 'multi', maxUsages: 7 });
    const answers = await scanAll([tenant.server.url, second.url], tenant, pass.code, 50);
    expect(answers.filter((a) => a.success)).toHaveLength(7);
  });

  // Each server decides the scans that arrive together in one statement, which locks their
  // passes: two statements locking the same passes in different orders would deadlock.
  it('never deadlocks when both scan the same passes at once, in any order', async () => {
    const passes = await Promise.all(
      Array.from({ length: 10 }, () => newPass(tenant, { type: 'multi' })),
    );
    const codes = passes.flatMap((pass) => Array(20).fill(pass.code) as string[]);
    // Five bursts, as a deadlock needs two statements to meet on two passes in opposite orders.
    for (let burst = 0; burst < 5; burst++) {
      const answers = await scanEach([tenant.server.url, second.url], tenant, shuffled(codes));
      expect(answers.filter((a) => a.success)).toHaveLength(200);
      for (const pass of passes) {
        const counts = answers
          .filter((a) => a.pass.code === pass.code)
          .map((a) => a.pass.usagesCount);
        const first = burst * 20 + 1;
        expect(counts.sort((x, y) => x - y)).toEqual(
          Array.from({ length: 20 }, (_, i) => first + i),
        );
      }
    }
  });

  it('answers 409 to a repeat of an Idempotency-Key whose first request is still running', async () => {
    const pass = await newPass(tenant, { type: 'single' });
    const key = randomUUID();
    // Hold the pass row locked so the first scan waits inside its transaction.
    const locker = new pg.Client({ connectionString: databaseUrl });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT id FROM passes WHERE id = $1 FOR UPDATE', [pass.id]);
      const first = http(`${tenant.server.url}/api/v1/scan`, {
        key: tenant.apiKey,
        json: { code: pass.code },
        headers: { 'idempotency-key': key },
      });
      // The first scan is in its transaction once its backend waits for the locker's row lock.
      await expect
        .poll(() => lockWaiters(locker), {
          timeout: 20_000,
          interval: 10,
          message: 'the first scan waits for the row lock',
        })
        .toBeGreaterThan(0);
      const repeat = await http(`${second.url}/api/v1/scan`, {
        key: tenant.apiKey,
        json: { code: pass.code },
        headers: { 'idempotency-key': key },
      });
      expect(repeat.status).toBe(409);
      expect(repeat.headers.get('retry-after')).toBe('1');
      await locker.query('COMMIT');
      expect((await first).body.result).toBe('success');
      const replay = await http(`${second.url}/api/v1/scan`, {
        key: tenant.apiKey,
        json: { code: pass.code },
        headers: { 'idempotency-key': key },
      });
      expect(replay.body).toEqual((await first).body);
    } finally {
      await locker.end();
    }
  });
});
