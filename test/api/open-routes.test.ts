import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postFrom } from '../support/from-address';
import { type RunningServer, startServer } from '../support/server';
import { createTenant, http, type TestTenant } from '../support/tenant';
import { uniqueEmail } from '../support/users';

// Sign-in, invitations and pairing: the routes a caller reaches without a credential, on a server
// of their own (their throttles count per address).
let server: RunningServer;
let tenant: TestTenant;
beforeAll(async () => {
  server = await startServer();
  tenant = await createTenant({ server });
});
afterAll(() => server?.stop());

const api = (path: string) => `${server.url}/api/v1${path}`;

/** A new door device of the tenant, paired: its scan key. */
async function pairedDoor() {
  const created = await http(api('/devices'), { key: tenant.apiKey, json: { name: 'Door' } });
  const token = new URL(created.body.pairingUrl).hash.replace('#pair=', '');
  const paired = await http(api('/devices/pair'), { json: { token } });
  expect(paired.status).toBe(200);
  return paired.body.apiKey as string;
}

describe('routes without a credential', () => {
  it('check their text as every route does: invalid UTF-8 and lone surrogates are 400', async () => {
    const invalidUtf8 = Buffer.concat([
      Buffer.from('{"email":"a@example.com","password":"'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('aaaaaaaaaaaa","token":"x"}'),
    ]);
    for (const path of ['/session', '/invites/accept', '/devices/pair']) {
      const bytes = await fetch(api(path), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: invalidUtf8,
      });
      expect(bytes.status, path).toBe(400);
      expect((await bytes.json()).error).toMatch(/not valid UTF-8/);
      const surrogates = await http(api(path), {
        json: { email: 'a@example.com', password: '\ud800'.repeat(12), token: '\ud800' },
      });
      expect(surrogates.status, path).toBe(400);
      expect(surrogates.body.error).toMatch(/lone surrogates/);
    }
  });

  it('pairing: past 20 unknown tokens an address waits longer, others do not', async () => {
    const guess = (address: string) =>
      postFrom(api('/devices/pair'), address, { token: 'x'.repeat(32) });
    for (let i = 0; i < 20; i++) expect((await guess('127.0.2.1')).status).toBe(404);
    const order: string[] = [];
    await Promise.all([
      guess('127.0.2.1').then((answer) => order.push(`slow ${answer.status}`)),
      guess('127.0.2.2').then((answer) => order.push(`fast ${answer.status}`)),
    ]);
    expect(order).toEqual(['fast 404', 'slow 404']);
    // The right token is never refused for the guesses: it waits, then pairs.
    const created = await http(api('/devices'), { key: tenant.apiKey, json: { name: 'Late' } });
    const token = new URL(created.body.pairingUrl).hash.replace('#pair=', '');
    expect((await postFrom(api('/devices/pair'), '127.0.2.1', { token })).status).toBe(200);
  });

  it("keep a door's sync fast under a flood of sign-ins and made-up invitations", async () => {
    const door = await pairedDoor();
    // Enough passes that the sync's answer is compressed (gzip runs on libuv's thread pool).
    await Promise.all(Array.from({ length: 40 }, (_, i) => tenant.newPass({ name: `Guest ${i}` })));
    const answered = { signIns: 0 };
    const signIns = Array.from({ length: 24 }, (_, i) =>
      postFrom(api('/session'), `127.0.3.${i + 1}`, {
        email: uniqueEmail('flood'),
        password: 'a wrong password',
      }).then((answer) => {
        answered.signIns++;
        return answer.status;
      }),
    );
    const invites = Array.from({ length: 10 }, (_, i) =>
      postFrom(api('/invites/accept'), '127.0.4.1', {
        token: `${'y'.repeat(30)}${String(i).padStart(2, '0')}`,
        password: 'a long enough password',
      }).then((answer) => answer.status),
    );
    const sync = await http(api('/scanner/sync'), {
      key: door,
      headers: { 'accept-encoding': 'gzip' },
    });
    const signInsBeforeSync = answered.signIns;
    expect(sync.status).toBe(200);
    expect(sync.headers.get('content-encoding')).toBe('gzip');
    expect(sync.body.passes.length).toBeGreaterThanOrEqual(40);
    // The sync did not queue behind the flood's password hashes.
    expect(signInsBeforeSync).toBeLessThan(12);
    expect(new Set(await Promise.all(signIns))).toEqual(new Set([401]));
    // A made-up token is refused before any hash is made.
    expect(new Set(await Promise.all(invites))).toEqual(new Set([404]));
  });
});
