import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RunningServer, startServer } from '../support/server';
import { createTenant, type TestTenant } from '../support/tenant';
import { type Session, sessionOf, signedInUser } from '../support/users';
import { UNTIL_KEY_CHANGE_HEARD } from '../support/wait';

// Servers keep each dashboard session's caller in memory, as they keep keys: a sign-out, a
// disabled user or a changed role must reach every server within moments. Each session is used
// on both servers first, so that both keep it, then changed on one.

const databaseUrl = inject('databaseUrl');

/** The same session's cookie, sent to another server of the same database. */
const on = (server: { url: string }, session: Session) =>
  sessionOf(server.url, session.user, session.email, session.password, session.cookie);

/** Waits until every session answers `/me` with `status` (and, for 200, `role`). */
const expectEverywhere = (sessions: Session[], status: number, role?: string) =>
  Promise.all(
    sessions.map((session) =>
      expect
        .poll(async () => {
          const me = await session.call('/me');
          return status === 200 ? `${me.status} ${me.body.user?.role}` : `${me.status}`;
        }, UNTIL_KEY_CHANGE_HEARD)
        .toBe(status === 200 ? `200 ${role}` : `${status}`),
    ),
  );

describe('session changes on one server', () => {
  it('end a session at once when it signs out, and another user’s when disabled', async () => {
    const tenant = await createTenant();
    const [owner, staff] = await Promise.all([
      signedInUser(tenant, { role: 'admin' }),
      signedInUser(tenant, { role: 'staff' }),
    ]);
    expect((await staff.call('/me')).status).toBe(200);
    expect(
      (await owner.call(`/users/${staff.user.id}`, { method: 'PATCH', json: { role: 'admin' } }))
        .status,
    ).toBe(200);
    expect((await staff.call('/me')).body.user.role).toBe('admin');
    expect(
      (await owner.call(`/users/${staff.user.id}`, { method: 'PATCH', json: { disabled: true } }))
        .status,
    ).toBe(200);
    expect((await staff.call('/me')).status).toBe(401);
    expect((await owner.call('/session', { method: 'DELETE' })).status).toBe(204);
    expect((await owner.call('/me')).status).toBe(401);
  });
});

// PGlite is one process's database; several instances need PostgreSQL.
describe.skipIf(!databaseUrl)('session changes across two server processes', () => {
  let second: RunningServer;
  let tenant: TestTenant;
  beforeAll(async () => {
    second = await startServer({ databaseUrl });
    tenant = await createTenant();
  });
  afterAll(() => second?.stop());

  it('reach the other server within moments: a role, a disabled user, a sign-out', async () => {
    const [owner, staff] = await Promise.all([
      signedInUser(tenant, { role: 'admin' }),
      signedInUser(tenant, { role: 'staff' }),
    ]);
    const staffBoth = [staff, on(second, staff)];
    const ownerBoth = [owner, on(second, owner)];
    await expectEverywhere(staffBoth, 200, 'staff');
    await expectEverywhere(ownerBoth, 200, 'admin');

    await owner.call(`/users/${staff.user.id}`, { method: 'PATCH', json: { role: 'admin' } });
    await expectEverywhere(staffBoth, 200, 'admin');
    await owner.call(`/users/${staff.user.id}`, { method: 'PATCH', json: { disabled: true } });
    await expectEverywhere(staffBoth, 401);
    expect((await on(second, owner).call('/session', { method: 'DELETE' })).status).toBe(204);
    await expectEverywhere(ownerBoth, 401);
  });
});
