import type { SigningKey } from '@passgate/shared';
import type { Selectable } from 'kysely';
import type { SigningKeyTable } from '../../db/schema';

export const presentSigningKey = (row: Selectable<SigningKeyTable>): SigningKey => ({
  id: row.id,
  algorithm: 'Ed25519',
  slot: row.slot,
  publicKey: row.public_key,
  createdAt: row.created_at.toISOString(),
  retiredAt: row.retired_at?.toISOString() ?? null,
});
