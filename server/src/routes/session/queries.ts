import type { Kysely, Transaction } from 'kysely';
import type { Database, UserInviteRow, UserRow } from '../../db/schema';
import { SECRET_TOKEN_PATTERN, sha256 } from '../../domain/ids';
import { endSessionsOf } from '../../domain/sessions';

export async function findUserByEmail(db: Kysely<Database>, email: string) {
  return db
    .selectFrom('users')
    .innerJoin('tenants', 'tenants.id', 'users.tenant_id')
    .selectAll('users')
    .select(['tenants.name as tenant_name'])
    .where((eb) => eb(eb.fn('lower', ['users.email']), '=', email.toLowerCase()))
    .executeTakeFirst();
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
