import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { sha256 } from '../../domain/ids';
import { hashPassword, verifyPassword } from '../../domain/passwords';
import {
  findSessionCaller,
  SESSION_IDLE_MS,
  SESSION_MAX_MS,
  startSession,
} from '../../domain/sessions';
import { INVITE_TTL_MS, insertUser, startInvite, updateUser } from '../users/queries';
import { redeemInvite } from './queries';

const database = useTestDatabase();
let emails = 0;

async function newUser(role: 'admin' | 'staff' = 'staff') {
  const { db } = database.handle;
  const email = `u${++emails}.${Date.now()}@example.com`;
  const user = await db
    .transaction()
    .execute((trx) => insertUser(trx, database.tenantId, { email, role }));
  if (!user) throw new Error(`${email} is taken`);
  return user;
}

describe('sessions', () => {
  it('end after 12 hours without a request, even before their 7 days are up', async () => {
    const { db } = database.handle;
    const user = await newUser();
    const start = new Date('2030-01-01T08:00:00Z');
    const { token } = await startSession(db, user.id, start);
    const stored = await db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', user.id)
      .execute();
    expect(stored.map((row) => row.token_hash)).toEqual([sha256(token)]);

    const at = (ms: number) => new Date(start.getTime() + ms);
    expect(await findSessionCaller(db, token, { now: at(SESSION_IDLE_MS - 1000) })).toBeDefined();
    // That request counted: twelve hours from it, not from the sign-in.
    expect(
      await findSessionCaller(db, token, { now: at(2 * SESSION_IDLE_MS - 2000) }),
    ).toBeDefined();
    expect(await findSessionCaller(db, token, { now: at(3 * SESSION_IDLE_MS) })).toBeUndefined();
  });

  it('are not kept alive by a look that is not a use (an open stream asking again)', async () => {
    const { db } = database.handle;
    const user = await newUser();
    const start = new Date('2030-01-01T08:00:00Z');
    const { token } = await startSession(db, user.id, start);
    const at = (ms: number) => new Date(start.getTime() + ms);
    const look = { now: at(SESSION_IDLE_MS - 1000), touch: false };
    expect(await findSessionCaller(db, token, look)).toBeDefined();
    // Twelve hours from the sign-in, not from the look.
    expect(await findSessionCaller(db, token, { now: at(SESSION_IDLE_MS + 1000) })).toBeUndefined();
  });

  it('end 7 days after sign-in however busy', async () => {
    const { db } = database.handle;
    const user = await newUser();
    const start = new Date('2030-02-01T08:00:00Z');
    const { token } = await startSession(db, user.id, start);
    for (let hours = 6; hours < 7 * 24; hours += 6) {
      const at = new Date(start.getTime() + hours * 3_600_000);
      expect(await findSessionCaller(db, token, { now: at }), `after ${hours} h`).toBeDefined();
    }
    expect(
      await findSessionCaller(db, token, { now: new Date(start.getTime() + SESSION_MAX_MS) }),
    ).toBeUndefined();
  });

  it('disabling a user ends their sessions at once', async () => {
    const { db } = database.handle;
    const user = await newUser();
    const now = new Date();
    const sessions = [await startSession(db, user.id, now), await startSession(db, user.id, now)];
    await db.transaction().execute((trx) => updateUser(trx, user, { disabled: true }, now));
    for (const { token } of sessions)
      expect(await findSessionCaller(db, token, { now: now })).toBeUndefined();
    const after = await db
      .transaction()
      .execute((trx) => updateUser(trx, { ...user, disabled_at: now }, { disabled: false }, now));
    expect(after.disabled_at).toBeNull();
    // Enabled again, they sign in again: the old sessions stay ended.
    for (const { token } of sessions)
      expect(await findSessionCaller(db, token, { now: now })).toBeUndefined();
  });
});

describe('invitations', () => {
  it('keep only their hash, work for 7 days, and once', async () => {
    const { db } = database.handle;
    const user = await newUser('admin');
    const made = new Date('2030-03-01T00:00:00Z');
    const { token } = await db.transaction().execute((trx) => startInvite(trx, user.id, made));
    const stored = await db
      .selectFrom('user_invites')
      .selectAll()
      .where('user_id', '=', user.id)
      .execute();
    expect(JSON.stringify(stored)).not.toContain(token);
    const hash = await hashPassword('a long password');
    const redeem = (at: Date) =>
      db.transaction().execute((trx) => redeemInvite(trx, token, hash, undefined, at));
    expect(await redeem(new Date(made.getTime() + INVITE_TTL_MS))).toEqual({
      ok: false,
      failure: 'expired',
    });
    const taken = await redeem(new Date(made.getTime() + INVITE_TTL_MS - 1));
    expect(taken.ok).toBe(true);
    expect(await redeem(made)).toEqual({ ok: false, failure: 'used' });
  });

  it('a fresh link ends the unused one', async () => {
    const { db } = database.handle;
    const user = await newUser();
    const first = await db.transaction().execute((trx) => startInvite(trx, user.id));
    await db.transaction().execute((trx) => startInvite(trx, user.id));
    const hash = await hashPassword('a long password');
    const old = await db
      .transaction()
      .execute((trx) => redeemInvite(trx, first.token, hash, undefined));
    expect(old).toEqual({ ok: false, failure: 'used' });
  });
});

describe('passwords', () => {
  it('are kept as salted scrypt hashes that say their parameters', async () => {
    const one = await hashPassword('correct horse battery');
    const two = await hashPassword('correct horse battery');
    expect(one).toMatch(/^scrypt\$16384\$8\$5\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(one).not.toBe(two);
    expect(await verifyPassword('correct horse battery', one)).toBe(true);
    expect(await verifyPassword('correct horse batterY', one)).toBe(false);
    expect(await verifyPassword('correct horse battery', 'plain')).toBe(false);
  });
});
