import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminCommandError, admin as adminCli } from '../support/admin';
import { postFrom } from '../support/from-address';
import { type RunningServer, startServer } from '../support/server';
import { createTenant, http, type TestTenant } from '../support/tenant';
import {
  inviteToken,
  inviteUser,
  type Session,
  sessionCookieOf,
  sessionOf,
  signedInUser,
  uniqueEmail,
} from '../support/users';
import { UNTIL_KEY_CHANGE_HEARD } from '../support/wait';

let tenant: TestTenant;
let admin: Session;
let staff: Session;

beforeAll(async () => {
  tenant = await createTenant();
  [admin, staff] = await Promise.all([
    signedInUser(tenant, { role: 'admin' }),
    signedInUser(tenant, { role: 'staff' }),
  ]);
});

/** What the admin CLI says when a command fails. */
async function cliFails(...argv: string[]): Promise<string> {
  const error = await adminCli(tenant.server.env, ...argv).catch((err: unknown) => err);
  expect(error, argv.join(' ')).toBeInstanceOf(AdminCommandError);
  return JSON.parse((error as AdminCommandError).stderr.trim().split('\n')[0] as string).error;
}

const signIn = (email: string, password: string, headers: Record<string, string> = {}) =>
  http(`${tenant.apiUrl}/session`, { json: { email, password }, headers });

describe('invitations', () => {
  it('the CLI prints the user and a link to the dashboard that works once, for 7 days', async () => {
    const email = uniqueEmail('invited');
    const before = Date.now();
    const invite = await inviteUser(tenant, { email, role: 'staff', name: 'Ana <b>Door</b>' });
    expect(invite.user).toMatchObject({ email, role: 'staff', name: 'Ana <b>Door</b>' });
    expect(invite.user.id).toMatch(/^usr_/);
    expect(invite.inviteUrl).toMatch(/^http:\/\/localhost:\d+\/dashboard\/#invite=[\w-]{32}$/);
    const ttl = new Date(invite.expiresAt).getTime() - before;
    expect(ttl).toBeGreaterThan(7 * 86_400_000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(7 * 86_400_000 + 60_000);

    const token = inviteToken(invite.inviteUrl);
    const short = await http(`${tenant.apiUrl}/invites/accept`, {
      json: { token, password: 'eleven char' },
    });
    expect(short.status).toBe(400);
    expect(short.body.error).toMatch(/password: at least 12 characters/);
    // Spaces around a password do not count; lone surrogates are no text at all.
    for (const password of [' '.repeat(12), ` ${'x'.repeat(10)} `, '\ud800'.repeat(12)]) {
      const refused = await http(`${tenant.apiUrl}/invites/accept`, {
        json: { token, password },
      });
      expect(refused.status, JSON.stringify(password)).toBe(400);
    }

    const accepted = await http(`${tenant.apiUrl}/invites/accept`, {
      json: { token, password: 'twelve chars' },
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body.user).toMatchObject({ email, role: 'staff', invitePending: false });
    const cookie = sessionCookieOf(accepted);
    const me = await http(`${tenant.apiUrl}/me`, { headers: { cookie } });
    expect(me.body).toMatchObject({ role: 'staff', key: null, user: { email, role: 'staff' } });

    const again = await http(`${tenant.apiUrl}/invites/accept`, {
      json: { token, password: 'another password' },
    });
    expect(again.status).toBe(410);
    expect(again.body.error).toMatch(/used already/);
    expect((await signIn(email, 'another password')).status).toBe(401);
    expect((await signIn(email, 'twelve chars')).status).toBe(200);
  });

  it('a locked-out user gets a new link from the CLI (`user invite`), and the one before stops working', async () => {
    const email = uniqueEmail('locked-out');
    const first = await inviteUser(tenant, { email });
    const created = await cliFails('user', 'create', '--tenant', tenant.id, '--email', email);
    expect(created).toContain(`\`user invite --email ${email}\` gives them a new link`);
    const fresh = await adminCli<{ user: { email: string }; inviteUrl: string }>(
      tenant.server.env,
      'user',
      'invite',
      '--email',
      email.toUpperCase(),
    );
    expect(fresh.user.email).toBe(email);
    const accept = (inviteUrl: string, password: string) =>
      http(`${tenant.apiUrl}/invites/accept`, {
        json: { token: inviteToken(inviteUrl), password },
      });
    expect((await accept(first.inviteUrl, 'first password!')).status).toBe(410);
    expect((await accept(fresh.inviteUrl, 'a new password')).status).toBe(200);
    expect((await signIn(email, 'a new password')).status).toBe(200);
    // A user who had a password and forgot it: a new link sets a new one.
    const again = await adminCli<{ inviteUrl: string }>(
      tenant.server.env,
      'user',
      'invite',
      '--email',
      email,
    );
    expect((await accept(again.inviteUrl, 'yet another password')).status).toBe(200);
    expect((await signIn(email, 'a new password')).status).toBe(401);
    expect((await signIn(email, 'yet another password')).status).toBe(200);
    expect(await cliFails('user', 'invite', '--email', 'nobody@example.com')).toBe(
      'No user has the email nobody@example.com',
    );
  });

  it('an unknown token is 404, and the same email cannot be invited twice', async () => {
    const unknown = await http(`${tenant.apiUrl}/invites/accept`, {
      json: { token: 'x'.repeat(32), password: 'long enough password' },
    });
    expect(unknown.status).toBe(404);
    const twice = await admin.call('/users', { json: { email: admin.email.toUpperCase() } });
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatch(/^email:/);
  });
});

describe('signing in', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie for 7 days at most', async () => {
    const answer = await signIn(admin.email, admin.password);
    expect(answer.status).toBe(200);
    const cookie = answer.headers.getSetCookie().find((c) => c.startsWith('passgate_session='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/Max-Age=604800/);
    // The test server's PUBLIC_URL is http://: no Secure (the browser would drop the cookie).
    expect(cookie).not.toMatch(/Secure/);
  });

  it('says the same for an unknown email and a wrong password', async () => {
    const wrong = await signIn(staff.email, 'not the password');
    const unknown = await signIn(uniqueEmail('nobody'), 'not the password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error).toBe('Wrong email or password');
  });

  it('refuses a sign-in from a page of another site', async () => {
    const answer = await signIn(admin.email, admin.password, { origin: 'https://evil.example' });
    expect(answer.status).toBe(403);
    expect(answer.headers.getSetCookie()).toEqual([]);
  });

  it('signing out ends the session, and only that one', async () => {
    const other = await signIn(admin.email, admin.password);
    const session = sessionOf(
      tenant.server.url,
      admin.user,
      admin.email,
      admin.password,
      sessionCookieOf(other),
    );
    expect((await session.call('/me')).status).toBe(200);
    const out = await session.call('/session', { method: 'DELETE' });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().join()).toMatch(/passgate_session=;.*Max-Age=0/);
    const after = await session.call('/me');
    expect(after.status).toBe(401);
    expect(after.body.error).toMatch(/session has ended/);
    expect((await admin.call('/me')).status).toBe(200);
  });
});

describe('a session as a credential', () => {
  it('works beside keys: /me says who calls, with role and tenant', async () => {
    const asUser = await staff.call('/me');
    expect(asUser.body).toEqual({
      tenant: expect.objectContaining({ id: tenant.id }),
      role: 'staff',
      key: null,
      user: { id: staff.user.id, email: staff.email, name: null, role: 'staff' },
      device: null,
    });
    const asKey = await http(`${tenant.apiUrl}/me`, { key: tenant.apiKey });
    expect(asKey.body).toMatchObject({ role: 'admin', user: null, key: { scope: 'full' } });
  });

  it('a write from another site is refused and changes nothing', async () => {
    const before = (await tenant.counts()).passes;
    const foreign = await staff.call('/passes', {
      json: { type: 'single' },
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error).toMatch(/Cross-site/);
    const unsaid = await staff.call('/passes', {
      json: { type: 'single' },
      headers: { origin: '' },
    });
    expect(unsaid.status).toBe(403);
    expect((await tenant.counts()).passes).toBe(before);

    const fetchMetadata = await staff.call('/passes', {
      json: { type: 'single' },
      headers: { origin: '', 'sec-fetch-site': 'same-origin' },
    });
    expect(fetchMetadata.status).toBe(201);
    const sameOrigin = await staff.call('/passes', { json: { type: 'single' } });
    expect(sameOrigin.status).toBe(201);
    // A key is no cookie: a script elsewhere may use one.
    const keyed = await http(`${tenant.apiUrl}/passes`, {
      key: tenant.apiKey,
      json: { type: 'single' },
      headers: { origin: 'https://integrations.example' },
    });
    expect(keyed.status).toBe(201);
    expect((await tenant.counts()).passes).toBe(before + 3);
  });

  it('counts the rate limit per user, across their sessions', async () => {
    const second = await signIn(staff.email, staff.password);
    const other = sessionOf(
      tenant.server.url,
      staff.user,
      staff.email,
      staff.password,
      sessionCookieOf(second),
    );
    const first = await staff.call('/passes');
    const next = await other.call('/passes');
    expect(first.headers.get('x-ratelimit-limit')).toBe('600');
    expect(Number(next.headers.get('x-ratelimit-remaining'))).toBeLessThan(
      Number(first.headers.get('x-ratelimit-remaining')),
    );
  });
});

describe('roles', () => {
  it('staff work with passes, clients, scans and doors, but not keys, webhooks or users', async () => {
    for (const path of ['/passes', '/clients', '/scans', '/devices', '/account']) {
      expect((await staff.call(path)).status, path).toBe(200);
    }
    expect((await staff.call('/devices', { json: { name: 'Side door' } })).status).toBe(201);
    const refusals = {
      '/keys': 'Only admins may list API keys',
      '/webhooks': 'Only admins may list webhook subscriptions',
      '/users': 'Only admins may list the dashboard users',
      '/triggers?event=pass.created':
        'Only admins may poll recent events (Zapier polling triggers)',
    };
    for (const [path, refusal] of Object.entries(refusals)) {
      const answer = await staff.call(path);
      expect(answer.status, path).toBe(403);
      expect(answer.body.error).toBe(refusal);
    }
    expect((await staff.call('/keys', { json: { scope: 'full' } })).status).toBe(403);
    expect(
      (await staff.call(`/users/${admin.user.id}`, { method: 'PATCH', json: { role: 'staff' } }))
        .status,
    ).toBe(403);
  });

  it('admins manage users: role, disable (ending every session at once), a fresh link', async () => {
    const person = await signedInUser(tenant, { role: 'staff' });
    const promoted = await admin.call(`/users/${person.user.id}`, {
      method: 'PATCH',
      json: { role: 'admin' },
    });
    expect(promoted.body).toMatchObject({ role: 'admin', disabledAt: null });
    expect((await person.call('/keys')).status).toBe(200);

    const disabled = await admin.call(`/users/${person.user.id}`, {
      method: 'PATCH',
      json: { disabled: true },
    });
    expect(disabled.status).toBe(200);
    expect(disabled.body.disabledAt).toBeTypeOf('string');
    expect((await person.call('/me')).status).toBe(401);
    // The right password says no more than a wrong one: it does not confirm the password.
    const right = await signIn(person.email, person.password);
    const wrong = await signIn(person.email, 'not the password');
    expect([right.status, wrong.status]).toEqual([401, 401]);
    expect(right.body.error).toBe(wrong.body.error);
    const listed = await admin.call('/users');
    expect(
      listed.body.find((u: { id: string }) => u.id === person.user.id).disabledAt,
    ).not.toBeNull();

    const enabled = await admin.call(`/users/${person.user.id}`, {
      method: 'PATCH',
      json: { disabled: false },
    });
    expect(enabled.body.disabledAt).toBeNull();
    const link = await admin.call(`/users/${person.user.id}/invite`, { method: 'POST' });
    expect(link.status).toBe(200);
    const reset = await http(`${tenant.apiUrl}/invites/accept`, {
      json: { token: inviteToken(link.body.inviteUrl), password: 'a brand new password' },
    });
    expect(reset.status).toBe(200);
    expect((await signIn(person.email, 'a brand new password')).status).toBe(200);
  });

  it('an admin cannot disable or demote themselves', async () => {
    for (const json of [{ disabled: true }, { role: 'staff' }]) {
      const answer = await admin.call(`/users/${admin.user.id}`, { method: 'PATCH', json });
      expect(answer.status).toBe(400);
    }
    expect((await admin.call('/me')).body.role).toBe('admin');
  });
});

describe('API keys from the dashboard', () => {
  it('creates a key shown once, lists it by prefix, and revokes it at once', async () => {
    const created = await admin.call('/keys', { json: { scope: 'scan' } });
    expect(created.status).toBe(201);
    const { apiKey, key } = created.body;
    expect(apiKey).toMatch(/^2pk_/);
    expect(key).toMatchObject({ scope: 'scan', prefix: apiKey.slice(0, 12), revokedAt: null });
    const me = await http(`${tenant.apiUrl}/me`, { key: apiKey });
    expect(me.body).toMatchObject({ role: 'door', key: { id: key.id } });

    const listed = await admin.call('/keys?limit=100');
    const row = listed.body.find((k: { id: string }) => k.id === key.id);
    expect(row).toEqual(key);
    expect(listed.text).not.toContain(apiKey);

    const revoked = await admin.call(`/keys/${key.id}/revoke`, { method: 'POST' });
    expect(revoked.body.revokedAt).toBeTypeOf('string');
    await expect
      .poll(
        async () => (await http(`${tenant.apiUrl}/me`, { key: apiKey })).status,
        UNTIL_KEY_CHANGE_HEARD,
      )
      .toBe(401);
  });
});

describe('the account', () => {
  it('tells the plan, the pass limit and its use', async () => {
    const limited = await createTenant({ maxPasses: 5 });
    await limited.newPass();
    const answer = await http(`${limited.apiUrl}/account`, { key: limited.apiKey });
    expect(answer.body).toEqual({
      tenant: { id: limited.id, name: expect.any(String), plan: 'pro' },
      passes: { count: 1, limit: 5 },
      webhooks: { count: 0, quota: 10 },
      rateLimits: { core: 30, webhooks: 10, user: 600 },
    });
  });
});

describe('throttling failed sign-ins (a server of its own)', () => {
  let server: RunningServer;
  let own: TestTenant;
  beforeAll(async () => {
    // Behind TLS, as in production: the cookie is then Secure.
    server = await startServer({ env: { PUBLIC_URL: 'https://passes.example.com' } });
    own = await createTenant({ server });
  });
  afterAll(() => server?.stop());

  /** A sign-in sent from `address`. */
  const attemptFrom = (
    address: string,
    email: string,
    password: string,
    headers: Record<string, string> = {},
  ) => postFrom(`${server.url}/api/v1/session`, address, { email, password }, headers);

  it('sets a Secure cookie when PUBLIC_URL is https', async () => {
    const user = await signedInUser(own);
    const answer = await attemptFrom('127.0.0.6', user.email, user.password);
    expect(answer.status).toBe(200);
    expect(answer.cookie).toMatch(/^passgate_session=[\w-]{32}; .*Secure/);
  });

  /** Whether `slow` is answered after `fast`, which is sent right after it. */
  async function answeredLater(slow: () => Promise<unknown>, fast: () => Promise<unknown>) {
    const order: string[] = [];
    await Promise.all([
      slow().then(() => order.push('slow')),
      fast().then(() => order.push('fast')),
    ]);
    return order[0] === 'fast';
  }

  it('40 guesses at once: at most 4 are checked, the rest are 429 and not counted', async () => {
    const user = await signedInUser(own);
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => attemptFrom('127.0.0.2', user.email, 'wrong password')),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(4);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(36);
    const refused = answers.find((answer) => answer.status === 429);
    expect(refused?.retryAfter).toMatch(/^\d+$/);
    // The checked ones were counted before checking: a few more, and the next one waits.
    for (let i = 0; i < 2; i++)
      expect((await attemptFrom('127.0.0.2', user.email, 'wrong password')).status).toBe(401);
    const fresh = await signedInUser(own);
    expect(
      await answeredLater(
        () => attemptFrom('127.0.0.2', user.email, 'wrong password'),
        () => attemptFrom('127.0.0.7', fresh.email, 'wrong password'),
      ),
    ).toBe(true);
    // A right password is never refused for the failures: it waits its turn, then signs in.
    expect((await attemptFrom('127.0.0.4', user.email, user.password)).status).toBe(200);
  });

  it('past 5 failures an email waits longer, from every address; the right password still works', async () => {
    const user = await signedInUser(own);
    for (let i = 0; i < 5; i++) {
      expect((await attemptFrom('127.0.0.8', user.email, 'wrong password')).status).toBe(401);
    }
    const fresh = await signedInUser(own);
    expect(
      await answeredLater(
        () => attemptFrom('127.0.0.9', user.email, 'wrong password'),
        () => attemptFrom('127.0.0.9', fresh.email, fresh.password),
      ),
    ).toBe(true);
    const right = await attemptFrom('127.0.0.8', user.email, user.password);
    expect(right.status).toBe(200);
  });

  it('past 20 failures an address waits longer, X-Forwarded-For or not; others do not', async () => {
    const user = await signedInUser(own);
    for (let i = 0; i < 20; i++) {
      // Not behind a trusted proxy: the header is the client's word, and is not read.
      const failed = await attemptFrom('127.0.0.3', uniqueEmail('guess'), 'wrong password', {
        'x-forwarded-for': `198.51.100.${i}`,
      });
      expect(failed.status).toBe(401);
    }
    expect(
      await answeredLater(
        () => attemptFrom('127.0.0.3', uniqueEmail('guess'), 'wrong password'),
        () => attemptFrom('127.0.0.5', uniqueEmail('guess'), 'wrong password'),
      ),
    ).toBe(true);
    expect((await attemptFrom('127.0.0.3', user.email, user.password)).status).toBe(200);
    expect((await attemptFrom('127.0.0.5', user.email, user.password)).status).toBe(200);
  });

  it('refuses a signed-in write from http:// the same host when PUBLIC_URL is https', async () => {
    const user = await signedInUser(own);
    const { host } = new URL(server.url);
    const write = await http(`${server.url}/api/v1/clients`, {
      json: { name: 'Cross-scheme' },
      headers: { cookie: user.cookie, origin: `http://${host}` },
    });
    expect(write.status).toBe(403);
    const ours = await http(`${server.url}/api/v1/clients`, {
      json: { name: 'Same origin' },
      headers: { cookie: user.cookie, origin: `https://${host}` },
    });
    expect(ours.status).toBe(201);
  });
});

describe('behind a trusted proxy (TRUST_PROXY)', () => {
  let server: RunningServer;
  let own: TestTenant;
  beforeAll(async () => {
    server = await startServer({ env: { TRUST_PROXY: 'loopback' } });
    own = await createTenant({ server });
  });
  afterAll(() => server?.stop());

  const attempt = (forwardedFor: string, email: string, password: string) =>
    http(`${server.url}/api/v1/session`, {
      json: { email, password },
      headers: { 'x-forwarded-for': forwardedFor },
    });

  it("counts each client by the address the proxy forwarded for, not the proxy's", async () => {
    for (let i = 0; i < 20; i++) {
      const failed = await attempt('203.0.113.7', uniqueEmail('guess'), 'wrong password');
      expect(failed.status).toBe(401);
    }
    const order: string[] = [];
    await Promise.all([
      attempt('203.0.113.7', uniqueEmail('guess'), 'wrong password').then(() => order.push('A')),
      attempt('203.0.113.8', uniqueEmail('guess'), 'wrong password').then(() => order.push('B')),
    ]);
    expect(order).toEqual(['B', 'A']);
    const user = await signedInUser(own);
    expect((await attempt('203.0.113.8', user.email, user.password)).status).toBe(200);
  });
});
