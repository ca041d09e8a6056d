import type { User, UserInvite } from '@passgate/shared';
import type { UserRow } from '../../db/schema';
import { toIso } from '../support';

export const presentUser = (user: UserRow): User => ({
  id: user.id,
  email: user.email,
  name: user.name,
  role: user.role,
  createdAt: user.created_at.toISOString(),
  lastSignInAt: toIso(user.last_sign_in_at),
  disabledAt: toIso(user.disabled_at),
  invitePending: user.password_hash === null,
});

/** The user and the link where they set a password; the token rides in the fragment, out of logs. */
export const presentInvite = (
  publicUrl: string,
  user: UserRow,
  invite: { token: string; expiresAt: Date },
  mailed = false,
): UserInvite => ({
  user: presentUser(user),
  inviteUrl: `${publicUrl}/dashboard/#invite=${invite.token}`,
  expiresAt: invite.expiresAt.toISOString(),
  mailed,
});
