import type { SignedIn } from '@passgate/shared';
import type { UserRow } from '../../db/schema';
import { presentUser } from '../users/present';

export const presentSignedIn = (user: UserRow & { tenant_name: string }): SignedIn => ({
  user: presentUser(user),
  tenant: { id: user.tenant_id, name: user.tenant_name },
});
