import type { SigningKey } from '@passgate/shared';
import type { SigningKeyRow } from '../../db/schema';

export const presentSigningKey = (row: SigningKeyRow): SigningKey => ({
  id: row.id,
  algorithm: 'Ed25519',
  slot: row.slot,
  publicKey: row.public_key,
  createdAt: row.created_at.toISOString(),
  retiredAt: row.retired_at?.toISOString() ?? null,
});
