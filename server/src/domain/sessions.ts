import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { CALLER_TENANT_COLUMNS, type Caller, callerTenant } from './callers';
import { newSecretToken, SECRET_TOKEN_PATTERN, sha256 } from './ids';

// Dashboard sessions: started by signing in, found by their cookie's token on each request,
// ended by signing out, by idling, by age, or with their user.

/** The cookie that holds a dashboard session's token. */
export const SESSION_COOKIE = 'passgate_session';
/** A session ends after this long without a request… */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** …and this long after sign-in, however busy. */
export const SESSION_MAX_MS = 7 * 24 * 60 * 60 * 1000;
/** `last_seen_at` is written at most this often, not on every request. */
const TOUCH_EVERY_MS = 60 * 1000;

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

/**
 * The caller of a session cookie's token: undefined when the session is unknown, ended, idle
 * for too long, past its last day, or its user is disabled. Notes the request, at most once a
 * minute, unless `touch` is false (a look that is not a use: an open stream asking again).
 */
export async function findSessionCaller(
  db: Kysely<Database>,
  token: string,
  options: { now?: Date; touch?: boolean } = {},
): Promise<Caller | undefined> {
  const { now = new Date(), touch = true } = options;
  if (!SECRET_TOKEN_PATTERN.test(token)) return undefined;
  const hash = sha256(token);
  const row = await liveSessions(db, now)
    .select([
      'sessions.last_seen_at',
      'sessions.expires_at',
      'users.id as user_id',
      'users.email',
      'users.name as user_name',
      'users.role',
      ...CALLER_TENANT_COLUMNS,
    ])
    .where('sessions.token_hash', '=', hash)
    .executeTakeFirst();
  if (!row) return undefined;
  let lastSeen = row.last_seen_at;
  if (touch && now.getTime() - lastSeen.getTime() > TOUCH_EVERY_MS) {
    lastSeen = now;
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
      sessionEndsAt: new Date(
        Math.min(row.expires_at.getTime(), lastSeen.getTime() + SESSION_IDLE_MS),
      ),
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
