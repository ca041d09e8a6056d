import type { Kysely, Transaction } from 'kysely';
import type { Database, UserInviteRow, UserRow } from '../../db/schema';
import { newSecretToken, SECRET_TOKEN_PATTERN, sha256 } from '../../domain/ids';
import { CALLER_TENANT_COLUMNS, type Caller, callerTenant } from '../../middleware/env';

/** The cookie that holds a dashboard session's token. */
export const SESSION_COOKIE = 'passgate_session';
/** A session ends after this long without a request… */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** …and this long after sign-in, however busy. */
export const SESSION_MAX_MS = 7 * 24 * 60 * 60 * 1000;
/** `last_seen_at` is written at most this often, not on every request. */
const TOUCH_EVERY_MS = 60 * 1000;

export async function findUserByEmail(db: Kysely<Database>, email: string) {
  return db
    .selectFrom('users')
    .innerJoin('tenants', 'tenants.id', 'users.tenant_id')
    .selectAll('users')
    .select(['tenants.name as tenant_name'])
    .where((eb) => eb(eb.fn('lower', ['users.email']), '=', email.toLowerCase()))
    .executeTakeFirst();
}

/** A new session for the user; answers the token its cookie carries (only its hash is kept). */
export async function startSession(
  db: Kysely<Database>,
  userId: string,
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const token = newSecretToken();
  const expiresAt = new Date(now.getTime() + SESSION_MAX_MS);
  await db
    .insertInto('sessions')
    .values({
      token_hash: sha256(token),
      user_id: userId,
      created_at: now,
      last_seen_at: now,
      expires_at: expiresAt,
    })
    .execute();
  await db.updateTable('users').set({ last_sign_in_at: now }).where('id', '=', userId).execute();
  return { token, expiresAt };
}

/** Sessions that still work at `now`, with their user and tenant. */
function liveSessions(db: Kysely<Database>, now: Date) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .innerJoin('tenants', 'tenants.id', 'users.tenant_id')
    .where('sessions.ended_at', 'is', null)
    .where('sessions.expires_at', '>', now)
    .where('sessions.last_seen_at', '>', new Date(now.getTime() - SESSION_IDLE_MS))
    .where('users.disabled_at', 'is', null);
}

/** Whether the session (by its token's hash) still works: not ended, idle, expired or disabled. */
export async function sessionStillWorks(
  db: Kysely<Database>,
  tokenHash: string,
  now = new Date(),
): Promise<boolean> {
  const row = await liveSessions(db, now)
    .select('tenants.plan')
    .where('sessions.token_hash', '=', tokenHash)
    .executeTakeFirst();
  return row?.plan === 'pro';
}

/**
 * The caller of a session cookie's token: undefined when the session is unknown, ended, idle
 * for too long, past its last day, or its user is disabled. Notes the request, at most once a
 * minute.
 */
export async function findSessionCaller(
  db: Kysely<Database>,
  token: string,
  now = new Date(),
): Promise<Caller | undefined> {
  if (!SECRET_TOKEN_PATTERN.test(token)) return undefined;
  const hash = sha256(token);
  const row = await liveSessions(db, now)
    .select([
      'sessions.last_seen_at',
      'users.id as user_id',
      'users.email',
      'users.name as user_name',
      'users.role',
      ...CALLER_TENANT_COLUMNS,
    ])
    .where('sessions.token_hash', '=', hash)
    .executeTakeFirst();
  if (!row) return undefined;
  if (now.getTime() - row.last_seen_at.getTime() > TOUCH_EVERY_MS) {
    await db
      .updateTable('sessions')
      .set({ last_seen_at: now })
      .where('token_hash', '=', hash)
      .execute();
  }
  return {
    tenant: callerTenant(row),
    key: null,
    user: {
      id: row.user_id,
      email: row.email,
      name: row.user_name,
      role: row.role,
      sessionHash: hash,
    },
  };
}

export async function endSession(db: Kysely<Database>, tokenHash: string, now = new Date()) {
  await db
    .updateTable('sessions')
    .set({ ended_at: now })
    .where('token_hash', '=', tokenHash)
    .where('ended_at', 'is', null)
    .execute();
}

/** Ends every session of the user at once (disabled, or a new password set). */
export async function endSessionsOf(db: Kysely<Database>, userId: string, now = new Date()) {
  await db
    .updateTable('sessions')
    .set({ ended_at: now })
    .where('user_id', '=', userId)
    .where('ended_at', 'is', null)
    .execute();
}

export type InviteFailure = 'unknown' | 'used' | 'expired' | 'disabled';

/**
 * The invitation of a link's token, if it can still be spent: read without hashing anything, so
 * that a made-up token costs the server one indexed read. `lock` holds its row to the end of the
 * transaction.
 */
export async function findInvite(
  db: Kysely<Database>,
  token: string,
  now = new Date(),
  options: { lock?: boolean } = {},
): Promise<{ ok: true; invite: UserInviteRow } | { ok: false; failure: InviteFailure }> {
  if (!SECRET_TOKEN_PATTERN.test(token)) return { ok: false, failure: 'unknown' };
  let query = db.selectFrom('user_invites').selectAll().where('token_hash', '=', sha256(token));
  if (options.lock) query = query.forUpdate();
  const invite = await query.executeTakeFirst();
  if (!invite) return { ok: false, failure: 'unknown' };
  if (invite.used_at) return { ok: false, failure: 'used' };
  if (invite.expires_at <= now) return { ok: false, failure: 'expired' };
  const invited = await db
    .selectFrom('users')
    .select('disabled_at')
    .where('id', '=', invite.user_id)
    .executeTakeFirstOrThrow();
  if (invited.disabled_at) return { ok: false, failure: 'disabled' };
  return { ok: true, invite };
}

/**
 * Spends an invitation: sets the user's password (already hashed) and ends their other sessions.
 * The invitation row is locked, so a link opened twice at once is spent once.
 */
export async function redeemInvite(
  trx: Transaction<Database>,
  token: string,
  passwordHash: string,
  name: string | undefined,
  now = new Date(),
): Promise<
  { ok: true; user: UserRow & { tenant_name: string } } | { ok: false; failure: InviteFailure }
> {
  const found = await findInvite(trx, token, now, { lock: true });
  if (!found.ok) return found;
  const { invite } = found;
  await trx
    .updateTable('user_invites')
    .set({ used_at: now })
    .where('token_hash', '=', invite.token_hash)
    .execute();
  const user = await trx
    .updateTable('users')
    .set({ password_hash: passwordHash, ...(name ? { name } : {}) })
    .where('id', '=', invite.user_id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await endSessionsOf(trx, user.id, now);
  const tenant = await trx
    .selectFrom('tenants')
    .select('name')
    .where('id', '=', user.tenant_id)
    .executeTakeFirstOrThrow();
  return { ok: true, user: { ...user, tenant_name: tenant.name } };
}
