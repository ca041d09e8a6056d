import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTenant, http, type TestTenant } from '../support/tenant';

let tenant: TestTenant;
let passId: string;
let passCode: string;

beforeAll(async () => {
  tenant = await createTenant();
  const pass = await tenant.client.passes.create({ type: 'multi', maxUsages: 1_000_000 });
  if (!pass.ok) throw new Error(pass.error);
  passId = pass.data.id;
  passCode = pass.data.code;
});

/** Values of every JSON kind, plus the awkward ones: huge numbers, odd dates, NULs, long strings. */
const hostileString = fc.string({
  unit: fc.constantFrom(
    'a',
    'Z',
    '0',
    ' ',
    '\u0000',
    '%',
    '_',
    '\\',
    '"',
    "'",
    '\ud800',
    'é',
    '😀',
    '\n',
  ),
  maxLength: 30,
});
const nasty = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    1.5,
    1e308,
    -1e308,
    2 ** 31,
    Number.MAX_SAFE_INTEGER,
    '',
    ' ',
    '\u0000',
    '\ud800',
    '2025-02-30',
    '2025-13-01T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    'x'.repeat(5000),
    'single',
    'multi',
    'active',
    'revoked',
    'used',
    "'; DROP TABLE passes; --",
    '%',
    '_',
    [],
    {},
  ),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }),
);
/**
 * Mostly valid bodies with one to three fields swapped for nasty values, so that input gets past
 * the first check and reaches the deep code; plus wholly random objects and JSON values.
 */
const bodyFor = (valid: Record<string, unknown>, fields: string[]) =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .dictionary(fc.constantFrom(...fields), nasty, { minKeys: 1, maxKeys: 3 })
        .map((patch) => ({ ...valid, ...patch })),
    },
    {
      weight: 1,
      arbitrary: fc.dictionary(fc.constantFrom(...fields), nasty, { maxKeys: fields.length }),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );

const passFields = [
  'type',
  'name',
  'note',
  'clientName',
  'maxUsages',
  'validFrom',
  'validUntil',
  'customFields',
  'templateId',
  'locationId',
  'status',
];
const validPass = {
  type: 'multi',
  name: 'Fuzz',
  clientName: 'Fuzz Holder',
  customFields: [{ key: 'k', value: 'v' }],
};
const writes = [
  { method: 'POST', path: () => '/passes', body: bodyFor(validPass, passFields) },
  {
    method: 'PATCH',
    path: () => `/passes/${passId}`,
    body: bodyFor({ name: 'Fuzzed' }, passFields),
  },
  {
    method: 'POST',
    path: () => '/clients',
    body: bodyFor({ name: 'Fuzz', email: 'fuzz@example.com' }, ['name', 'email', 'phone', 'notes']),
  },
  {
    method: 'POST',
    path: () => '/scan',
    body: bodyFor({ code: 'AAAAAAAAAAAA', device: 'door' }, [
      'code',
      'device',
      'direction',
      'locationId',
    ]),
  },
  {
    method: 'POST',
    path: () => '/locations',
    body: bodyFor({ name: 'Fuzz hall' }, [
      'name',
      'address',
      'timezone',
      'latitude',
      'longitude',
      'capacity',
      'reentry',
    ]),
  },
  {
    method: 'POST',
    path: () => '/devices',
    body: bodyFor({ name: 'Fuzz door' }, ['name', 'rateLimit', 'locationId']),
  },
  { method: 'POST', path: () => `/passes/${passId}/revoke`, body: fc.jsonValue({ maxDepth: 1 }) },
];

const rawBody = fc.oneof(
  fc.string(),
  fc.constantFrom('{', '{"type":', '[', 'null', '"str"', '{"a":1}}', '\u0000', '{"type":"single"'),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);

async function totals() {
  const [passes, clients] = await Promise.all([
    http(`${tenant.apiUrl}/passes?limit=1`, { key: tenant.apiKey }),
    http(`${tenant.apiUrl}/clients?limit=1`, { key: tenant.apiKey }),
  ]);
  const pass = await http(`${tenant.apiUrl}/passes/${passId}`, { key: tenant.apiKey });
  return {
    passes: Number(passes.headers.get('x-total-count')),
    clients: Number(clients.headers.get('x-total-count')),
    pass: JSON.stringify(pass.body),
  };
}

function expectCleanAnswer(res: { status: number; body: unknown; text: string }, what: string) {
  expect(res.status, `${what} → ${res.text.slice(0, 200)}`).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.body, what).toEqual({ error: expect.any(String) });
    expect((res.body as { error: string }).error.length).toBeGreaterThan(0);
  }
}

describe('fuzz: no 5xx, every error is { error }, a rejected request writes nothing', () => {
  it('JSON bodies of every shape at every write endpoint', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Plain values, not the generators, so that a counterexample prints readably.
        fc
          .constantFrom(...writes)
          .chain((w) => w.body.map((body) => ({ method: w.method, path: w.path(), body }))),
        async ({ method, path, body }) => {
          const before = await totals();
          const res = await http(`${tenant.apiUrl}${path}`, {
            method,
            key: tenant.apiKey,
            json: body,
          });
          const what = `${method} ${path} ${JSON.stringify(body)?.slice(0, 300)}`;
          expectCleanAnswer(res, what);
          if (res.status >= 400) expect(await totals(), what).toEqual(before);
        },
      ),
      { numRuns: 250 },
    );
  });

  it('malformed bodies, odd content types and headers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...writes.map((w) => ({ method: w.method, path: w.path }))),
        rawBody,
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/json; charset=latin1',
          'multipart/form-data',
          '',
        ),
        fc.option(fc.string({ maxLength: 300 }), { nil: undefined }),
        async (write, body, contentType, idempotencyKey) => {
          const before = await totals();
          const headers: Record<string, string> = {};
          if (contentType) headers['content-type'] = contentType;
          if (idempotencyKey !== undefined && /^[\x20-\x7e]*$/.test(idempotencyKey))
            headers['idempotency-key'] = idempotencyKey;
          const res = await http(`${tenant.apiUrl}${write.path()}`, {
            method: write.method,
            key: tenant.apiKey,
            body,
            headers,
          });
          const what = `${write.method} ${write.path()} [${contentType}] ${JSON.stringify(body).slice(0, 200)}`;
          expectCleanAnswer(res, what);
          if (res.status >= 400) expect(await totals(), what).toEqual(before);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('query strings and path parameters on every read endpoint', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/passes', '/clients', `/passes/${passId}`),
        fc.dictionary(
          fc.constantFrom('search', 'status', 'limit', 'page', 'x'),
          fc.oneof(
            fc.string(),
            fc.integer().map(String),
            fc.constantFrom('%', '%25', '-1', '1e3', '100', '101', '\u0000', 'a\u0000b'),
          ),
        ),
        fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.constantFrom('\u0000', '..', '%', 'AAAAAAAAAAA\u0000'),
        ),
        async (path, query, junk) => {
          const url = `${tenant.apiUrl}${path}?${new URLSearchParams(query)}`;
          expectCleanAnswer(await http(url, { key: tenant.apiKey }), url);
          const odd = `${tenant.apiUrl}/passes/${encodeURIComponent(junk)}`;
          expectCleanAnswer(await http(odd, { key: tenant.apiKey }), odd);
          const scanned = await http(`${tenant.apiUrl}/scan`, {
            key: tenant.apiKey,
            json: { code: junk },
          });
          expectCleanAnswer(scanned, `scan ${junk}`);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a valid scan in between still works (the fuzzing did not break the pass)', async () => {
    const res = await tenant.client.scan({ code: passCode });
    expect(res.ok).toBe(true);
  });
});
