import { describe, expect, it } from 'vitest';
import { newPassRow, useTestDatabase } from '../../../../test/support/test-database';
import { IdempotencyClaim } from '../../middleware/idempotency';
import { createScanQueue } from './queue';

const database = useTestDatabase();

async function newPasses(count: number, pass: { type: 'single' | 'multi'; max_usages?: number }) {
  const rows = Array.from({ length: count }, () => newPassRow(database.tenantId, pass));
  await database.handle.db.insertInto('passes').values(rows).execute();
  return rows.map((row) => row.code);
}

describe('the scan queue', () => {
  const queue = () =>
    createScanQueue({ db: database.handle.db, publicUrl: 'http://localhost', concurrency: 1 });
  const order = (code: string) => ({
    tenantId: database.tenantId,
    apiKeyId: database.apiKeyId,
    code,
    device: null,
    deviceId: null,
    idempotencyKey: null,
    locationId: null,
    direction: 'entry' as const,
  });

  it('decides the scans that arrive while a statement runs together, in the next one', async () => {
    const scans = queue();
    const codes = await newPasses(20, { type: 'single' });
    const answers = await Promise.all(codes.map((code) => scans.scan(order(code))));
    expect(answers.map((answer) => answer?.result)).toEqual(codes.map(() => 'success'));
    // The first scan goes alone; the other 19 wait for it and then go in one statement, which
    // decides them all at one instant. One statement each would take 20 instants.
    const instants = new Set(answers.map((answer) => answer?.scan.scannedAt));
    expect(instants.size).toBeLessThanOrEqual(2);
  });

  it('puts a pass in one statement at most once, so that its scans count one by one', async () => {
    const scans = queue();
    const [single] = await newPasses(1, { type: 'single' });
    const [multi] = await newPasses(1, { type: 'multi', max_usages: 3 });
    const codes = [single!, multi!].flatMap((code) => Array<string>(6).fill(code));
    const answers = await Promise.all(codes.map((code) => scans.scan(order(code))));
    const admitted = (code: string) =>
      answers.filter((a) => a?.pass.code === code && a.success).map((a) => a?.pass.usagesCount);
    expect(admitted(single!)).toEqual([1]);
    expect(admitted(multi!)).toEqual([1, 2, 3]);
  });

  it('commits each answer under its own Idempotency-Key, in the statement’s transaction', async () => {
    const scans = queue();
    const codes = await newPasses(10, { type: 'single' });
    const claims = codes.map((_, i) => new IdempotencyClaim(database.apiKeyId, `key-${i}`));
    await database.handle.db
      .insertInto('idempotency_keys')
      .values(
        claims.map(({ apiKeyId, key }) => ({
          api_key_id: apiKeyId,
          key,
          fingerprint: 'f',
          state: 'running',
          created_at: new Date(),
        })),
      )
      .execute();
    // The first two carry no key: the first goes alone, the second with the eight keyed ones.
    const answers = await Promise.all(
      codes.map((code, i) => scans.scan({ ...order(code), claim: i < 2 ? undefined : claims[i] })),
    );
    const stored = await database.handle.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('api_key_id', '=', database.apiKeyId)
      .orderBy('key')
      .execute();
    expect(stored.map((row) => [row.key, row.state, row.response_status])).toEqual(
      claims.map(({ key }, i) => [key, i < 2 ? 'running' : 'done', i < 2 ? null : 200]),
    );
    for (const [i, row] of stored.entries()) {
      if (i >= 2) expect(JSON.parse(row.response_body!)).toEqual(answers[i]);
    }
    expect(claims.map((claim) => claim.recorded)).toEqual(claims.map((_, i) => i >= 2));
  });

  it('answers undefined for a code no pass of the tenant has, beside scans that succeed', async () => {
    const scans = queue();
    const [code] = await newPasses(1, { type: 'single' });
    const [known, unknown, otherTenant] = await Promise.all([
      scans.scan(order(code!)),
      scans.scan(order('NOSUCHCODE00')),
      scans.scan({ ...order(code!), tenantId: 'ten_someone_else' }),
    ]);
    expect(known?.result).toBe('success');
    expect(unknown).toBeUndefined();
    expect(otherTenant).toBeUndefined();
  });
});

describe('a scan statement that fails', () => {
  it('fails every scan of its batch and those waiting behind it alike, and writes nothing', async () => {
    const lost = Object.assign(new Error('Connection terminated unexpectedly'), {
      code: 'ECONNRESET',
    });
    // The database drops the connection under the scan statement, as when it goes away.
    const failing = new Proxy(database.handle.db, {
      get: (db, name) =>
        name === 'executeQuery' ? () => Promise.reject(lost) : Reflect.get(db, name),
    });
    const scans = createScanQueue({ db: failing, publicUrl: 'http://localhost', concurrency: 1 });
    const rows = Array.from({ length: 5 }, () => newPassRow(database.tenantId, { type: 'single' }));
    await database.handle.db.insertInto('passes').values(rows).execute();
    const outcomes = await Promise.allSettled(
      rows.map(({ code }) =>
        scans.scan({
          tenantId: database.tenantId,
          apiKeyId: database.apiKeyId,
          code,
          device: null,
          deviceId: null,
          idempotencyKey: null,
          locationId: null,
          direction: 'entry' as const,
        }),
      ),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual(rows.map(() => 'rejected'));
    for (const outcome of outcomes) expect((outcome as PromiseRejectedResult).reason).toBe(lost);
    const stored = await database.handle.db
      .selectFrom('passes')
      .select(['usages_count', 'status'])
      .where(
        'id',
        'in',
        rows.map((row) => row.id),
      )
      .execute();
    expect(stored).toEqual(rows.map(() => ({ usages_count: 0, status: 'active' })));
    const scanRows = await database.handle.db
      .selectFrom('scans')
      .select('id')
      .where(
        'pass_id',
        'in',
        rows.map((row) => row.id),
      )
      .execute();
    expect(scanRows).toEqual([]);
  });
});
