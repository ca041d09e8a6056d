import { Agent, get as httpGet } from 'node:http';
import { connect } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTenant, http, type TestTenant } from '../support/tenant';

let tenant: TestTenant;

beforeAll(async () => {
  tenant = await createTenant();
});

describe('HTTP behaviour every client relies on', () => {
  it('404 JSON for unknown routes, before any key check', async () => {
    for (const path of ['/api/v1/nope', '/api/v1/passes/a/b/c', '/nothing-here']) {
      const res = await http(`${tenant.server.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.body.error).toMatch(/No such endpoint/);
    }
  });

  it('404 for a path with a slash too many names the path without it, with or without a key', async () => {
    for (const key of [undefined, tenant.apiKey]) {
      const res = await http(`${tenant.apiUrl}/passes/`, { method: 'POST', key, json: {} });
      expect(res.status).toBe(404);
      expect(res.body.error).toBe(
        'No such endpoint: POST /api/v1/passes/ (without the trailing slash: /api/v1/passes)',
      );
    }
    const me = await http(`${tenant.apiUrl}/me//`, { key: tenant.apiKey });
    expect(me.body.error).toBe(
      'No such endpoint: GET /api/v1/me// (without the trailing slash: /api/v1/me)',
    );
    // Nothing to hint at where the path is unknown either way.
    const nope = await http(`${tenant.apiUrl}/nope/`, { key: tenant.apiKey });
    expect(nope.body.error).toBe('No such endpoint: GET /api/v1/nope/');
  });

  it('405 JSON with Allow for a known path and the wrong method', async () => {
    const res = await http(`${tenant.apiUrl}/passes/pass_x`, {
      method: 'DELETE',
      key: tenant.apiKey,
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, PATCH, OPTIONS');
    expect(res.body.error).toMatch(/not allowed/);
  });

  it('HEAD works wherever GET does (monitors and `curl -I`), with the headers and no body', async () => {
    const head = await fetch(`${tenant.apiUrl}/passes?limit=1`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${tenant.apiKey}` },
    });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-total-count')).toMatch(/^\d+$/);
    expect(head.headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/);
    expect(await head.text()).toBe('');
    const me = await fetch(`${tenant.apiUrl}/me`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${tenant.apiKey}` },
    });
    expect(me.status).toBe(200);
    // HEAD is GET without the body: no key is still 401, and a POST-only path is still 405.
    const noKey = await fetch(`${tenant.apiUrl}/me`, { method: 'HEAD' });
    expect(noKey.status).toBe(401);
    const scan = await fetch(`${tenant.apiUrl}/scan`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${tenant.apiKey}` },
    });
    expect(scan.status).toBe(405);
    expect(scan.headers.get('allow')).toBe('POST, OPTIONS');
    for (const path of ['/healthz', '/docs', '/api/v1/openapi.json']) {
      const res = await fetch(`${tenant.server.url}${path}`, { method: 'HEAD' });
      expect(res.status, path).toBe(200);
    }
  });

  it('keeps an idle connection open longer than Node’s 5 s (65 s, past a load balancer’s minute)', async () => {
    // Node closes idle keep-alive connections after 5 s by default. A load balancer that keeps
    // its own for 60 s (AWS's default) then sends a request down one the server is closing: a
    // 502 at the door. A phone between scans likewise had to connect again every few seconds.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const req = httpGet(`${tenant.server.url}/healthz`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
        });
        req.on('error', reject);
      });
    try {
      expect(await get()).toEqual({ status: 200, reused: false });
      await new Promise((resolve) => setTimeout(resolve, 6500));
      expect(await get()).toEqual({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
  }, 20_000);

  it('413 JSON for a body over 1 MB, and nothing is written', async () => {
    const before = await tenant.counts();
    const res = await http(`${tenant.apiUrl}/passes`, {
      key: tenant.apiKey,
      json: { type: 'single', note: 'x'.repeat(1024 * 1024 + 10) },
    });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatch(/1 MB/);
    expect(await tenant.counts()).toEqual(before);
  });

  it('413 for a chunked body over 1 MB too, while a small chunked body is read', async () => {
    const before = await tenant.counts();
    const sendChunked = (text: string) =>
      fetch(`${tenant.apiUrl}/passes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' },
        body: new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(text));
            controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
    const large = await sendChunked(
      JSON.stringify({ type: 'single', note: 'x'.repeat(1024 * 1024 + 10) }),
    );
    expect(large.status).toBe(413);
    expect(((await large.json()) as { error: string }).error).toMatch(/1 MB/);
    expect(await tenant.counts()).toEqual(before);
    const small = await sendChunked(JSON.stringify({ type: 'single', name: 'Chunked' }));
    expect(small.status).toBe(201);
    expect(((await small.json()) as { name: string }).name).toBe('Chunked');
  });

  it('answers a CORS preflight with 204 without a key, and exposes the rate-limit headers', async () => {
    const res = await fetch(`${tenant.apiUrl}/passes`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, idempotency-key',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toMatch(/Idempotency-Key/);
    const get = await fetch(`${tenant.apiUrl}/me`, {
      headers: { origin: 'https://app.example.com', authorization: `Bearer ${tenant.apiKey}` },
    });
    expect(get.headers.get('access-control-allow-origin')).toBe('*');
    expect(get.headers.get('access-control-expose-headers')).toMatch(/X-RateLimit-Remaining/);
    // The same answer with its rate-limit headers, with or without CORS around it.
    expect(get.headers.get('x-ratelimit-limit')).toBeTruthy();
    const refused = await fetch(`${tenant.apiUrl}/passes/pass_unknown`, {
      headers: { origin: 'https://app.example.com', authorization: `Bearer ${tenant.apiKey}` },
    });
    expect(refused.status).toBe(404);
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
    expect(refused.headers.get('x-ratelimit-limit')).toBeTruthy();
    // A caller that is not a browser sends no Origin and gets no CORS headers.
    const server = await fetch(`${tenant.apiUrl}/me`, {
      headers: { authorization: `Bearer ${tenant.apiKey}` },
    });
    expect(server.status).toBe(200);
    expect(server.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a body that is not valid UTF-8, a lone surrogate and another charset with 400, writing nothing', async () => {
    const before = await tenant.counts();
    const send = (path: string, body: Buffer | string, contentType = 'application/json') =>
      fetch(`${tenant.apiUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': contentType },
        body: typeof body === 'string' ? body : new Uint8Array(body),
      }).then(async (res) => ({ status: res.status, body: await res.json() }));
    const invalid = [
      // 0xC3 0x28: a lead byte followed by no continuation; 0xFF never appears in UTF-8.
      [
        '/clients',
        Buffer.concat([Buffer.from('{"name":"A'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
      ],
      [
        '/passes',
        Buffer.concat([
          Buffer.from('{"type":"single","name":"'),
          Buffer.from([0xff]),
          Buffer.from('"}'),
        ]),
      ],
      // An encoded surrogate (CESU-8 style) is not UTF-8 either.
      [
        '/clients',
        Buffer.concat([
          Buffer.from('{"name":"'),
          Buffer.from([0xed, 0xa0, 0x80]),
          Buffer.from('"}'),
        ]),
      ],
    ] as const;
    for (const [path, body] of invalid) {
      const res = await send(path, body);
      expect(res.status, path).toBe(400);
      expect(res.body).toEqual({ error: 'Request body is not valid UTF-8' });
    }
    for (const body of [
      '{"name":"\\ud800"}',
      '{"name":"x\\udfff y"}',
      '{"name":"ok","email":"a@b.co","phone":"\\ud83d"}',
    ]) {
      const res = await send('/clients', body);
      expect(res.status, body).toBe(400);
      expect(res.body.error).toMatch(/lone surrogates/);
    }
    // A pair written as two escapes is one character, and welcome.
    const emoji = await send('/clients', '{"name":"Smile \\ud83d\\ude00"}');
    expect(emoji.status).toBe(201);
    expect(emoji.body.name).toBe('Smile 😀');
    const utf16 = await send(
      '/clients',
      Buffer.from('{"name":"Wide"}', 'utf16le'),
      'application/json; charset=utf-16',
    );
    expect(utf16.status).toBe(400);
    expect(utf16.body).toEqual({ error: 'Send the body as UTF-8 (charset=utf-8), not utf-16' });
    const declared = await send(
      '/clients',
      '{"name":"Declared"}',
      'application/json; charset=UTF-8',
    );
    expect(declared.status).toBe(201);
    const after = await tenant.counts();
    expect(after.clients).toBe(before.clients + 2);
    expect(after.passes).toBe(before.passes);
  });

  it('refuses NUL characters in the path, the query and the body with 400', async () => {
    for (const [path, init] of [
      ['/passes/%00', {}],
      ['/passes?search=%00', {}],
      ['/clients', { json: { name: 'a\u0000b' } }],
    ] as const) {
      const res = await http(`${tenant.apiUrl}${path}`, { key: tenant.apiKey, ...init });
      expect(res.status, path).toBe(400);
      expect(res.body.error).toMatch(/NUL/);
    }
  });

  it('answers a broken %-escape anywhere with a 4xx, never a 500, and serves no file outside its folder', async () => {
    const origin = tenant.server.url;
    for (const path of [
      '/scanner/%ZZ',
      '/scanner/assets/%',
      '/scanner/%E0%A4%A', // cut off inside a character
      '/docs/assets/%ZZ',
      '/api/v1/passes/%ZZ',
      '/api/v1/passes?search=%E0%A4%A',
      '/p/%ZZ?token=%ZZ',
    ]) {
      const res = await http(`${origin}${path}`, { key: tenant.apiKey });
      expect([400, 404], path).toContain(res.status);
      // The holder's pass page answers in HTML; everything else in the error body.
      if (!path.startsWith('/p/')) expect(res.body.error, path).toBeTypeOf('string');
    }
    for (const path of [
      '/scanner/..%2F..%2Fpackage.json',
      '/scanner/..%2f..%2fserver%2fpackage.json',
      '/scanner/%2e%2e/%2e%2e/package.json',
      '/docs/assets/..%2F..%2Fpackage.json',
    ]) {
      const res = await http(`${origin}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.text, path).not.toContain('"dependencies"');
    }
  });

  /**
   * Sends raw bytes and reads until the server closes the connection, or for five seconds: what
   * came by then, which the caller's assertions find short, rather than the test's time-out.
   */
  const exchange = (bytes: string) =>
    new Promise<string>((resolve, reject) => {
      const { hostname, port } = new URL(tenant.server.url);
      const socket = connect(Number(port), hostname, () => socket.write(bytes));
      let answer = '';
      socket.setEncoding('utf8');
      socket.setTimeout(5_000, () => socket.destroy());
      socket.on('data', (chunk) => (answer += chunk));
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });

  it('answers what is not HTTP, a URL over 16 KB, a URL it cannot read, an unknown Expect and CONNECT in JSON too, though the app never sees them', async () => {
    for (const [bytes, status] of [
      ['GARBAGE\r\n\r\n', 400],
      ['GET /api/v1/me HTTP/1.1\r\nHost: x\r\nA header without a colon\r\n\r\n', 400],
      [`GET /api/v1/passes?search=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431],
      // HTTP that names no URL: without Host (1.1 and 1.0), a host that is no host name, a
      // backslash in the path, a target that is not a path.
      ['GET /api/v1/me HTTP/1.1\r\nConnection: close\r\n\r\n', 400],
      ['GET /api/v1/me HTTP/1.0\r\n\r\n', 400],
      ['GET /api/v1/me HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n', 400],
      ['GET /api\\v1/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400],
      ['GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400],
      // An expectation HTTP has no use for (only 100-continue is defined).
      [
        'POST /api/v1/scan HTTP/1.1\r\nHost: x\r\nExpect: a-miracle\r\nConnection: close\r\n\r\n',
        417,
      ],
      // A proxy's method: no resource here takes it.
      ['CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', 501],
      // An upgrade nobody here offers is an ordinary request (Node's rule), answered by the app.
      [
        'GET /api/v1/me HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, close\r\nUpgrade: websocket\r\n\r\n',
        401,
      ],
    ] as const) {
      const answer = await exchange(bytes);
      const [head = '', body = ''] = answer.split('\r\n\r\n');
      expect(head, bytes.slice(0, 40)).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
      expect(head).toMatch(/\r\ncontent-type: application\/json/i);
      expect(JSON.parse(body).error).toBeTypeOf('string');
    }
  });

  it('says 100 Continue only once the app reads the body: a body over 1 MB or a bad key is refused before it is sent', async () => {
    const head = (length: number, key = tenant.apiKey, connection = 'Connection: close\r\n') =>
      `POST /api/v1/passes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${length}\r\nExpect: 100-continue\r\n` +
      `${connection}\r\n`;
    const bodyOf = (answer: string) => JSON.parse(answer.split('\r\n\r\n').at(-1) ?? '');

    // Only the head is sent: the client waits to be told to go on, or not. Without asking for
    // the connection to close, too: the server must close it, as the body never came.
    for (const connection of ['Connection: close\r\n', '']) {
      const refused = await exchange(head(2 * 1024 * 1024, tenant.apiKey, connection));
      expect(refused).not.toContain('100 Continue');
      expect(refused).toMatch(/^HTTP\/1.1 413 /);
      expect(bodyOf(refused)).toEqual({ error: 'Request body is larger than 1 MB' });
    }
    const unauthorized = await exchange(head(100, '2pk_not-a-key'));
    expect(unauthorized).not.toContain('100 Continue');
    expect(unauthorized).toMatch(/^HTTP\/1.1 401 /);
    // A chunked body too, which only counting can limit.
    const chunked = await exchange(
      head(0, '2pk_not-a-key').replace('Content-Length: 0', 'Transfer-Encoding: chunked'),
    );
    expect(chunked).not.toContain('100 Continue');
    expect(chunked).toMatch(/^HTTP\/1.1 401 /);

    const body = JSON.stringify({ type: 'single', name: 'Sent after 100 Continue' });
    const taken = await exchange(head(Buffer.byteLength(body)) + body);
    expect(taken).toMatch(/^HTTP\/1.1 100 Continue\r\n\r\nHTTP\/1.1 201 /);
    expect(bodyOf(taken).name).toBe('Sent after 100 Continue');
  });

  it('GET /healthz checks the database', async () => {
    const res = await http(`${tenant.server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });
});
