import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database, Role, UserRow } from '../../db/schema';
import { newId, newSecretToken, sha256 } from '../../domain/ids';
import { endSessionsOf } from '../../domain/sessions';
import { paginate } from '../support';

/** An invitation works once, for this long. */
export const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * A new user of the tenant; undefined when another user (of any tenant) signs in with the email
 * already, as the unique index on `lower(email)` decides, concurrent inserts included.
 */
export async function insertUser(
  trx: Transaction<Database>,
  tenantId: string,
  user: { email: string; name?: string | undefined; role: Role },
): Promise<UserRow | undefined> {
  return trx
    .insertInto('users')
    .values({
      id: newId('usr'),
      tenant_id: tenantId,
      email: user.email,
      name: user.name || null,
      role: user.role,
      password_hash: null,
    })
    .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** A fresh invitation for the user, ending any unused one. */
export async function startInvite(
  trx: Transaction<Database>,
  userId: string,
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  await trx
    .updateTable('user_invites')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .execute();
  const token = newSecretToken();
  const expiresAt = new Date(now.getTime() + INVITE_TTL_MS);
  await trx
    .insertInto('user_invites')
    .values({ token_hash: sha256(token), user_id: userId, expires_at: expiresAt })
    .execute();
  return { token, expiresAt };
}

export async function findUser(db: Kysely<Database>, tenantId: string, id: string) {
  return db
    .selectFrom('users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function listUsers(
  db: Kysely<Database>,
  tenantId: string,
  page: { page: number; limit: number },
) {
  return paginate(
    db,
    db
      .selectFrom('users')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc'),
    page,
  );
}

/** Changes a user; disabling ends every session of theirs in the same transaction. */
export async function updateUser(
  trx: Transaction<Database>,
  user: UserRow,
  changes: {
    name?: string | null | undefined;
    role?: Role | undefined;
    disabled?: boolean | undefined;
  },
  now = new Date(),
): Promise<UserRow> {
  const disabledAt =
    changes.disabled === undefined
      ? user.disabled_at
      : changes.disabled
        ? (user.disabled_at ?? now)
        : null;
  const updated = await trx
    .updateTable('users')
    .set({
      name: changes.name === undefined ? user.name : changes.name || null,
      role: changes.role ?? user.role,
      disabled_at: disabledAt,
    })
    .where('id', '=', user.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  if (disabledAt) await endSessionsOf(trx, user.id, now);
  return updated;
}
