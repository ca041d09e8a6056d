import type { Revocation, SigningKey } from '@passgate/shared';
import { statementKey, statementOf } from '@passgate/shared/core';
import type { SigningKeyRow } from '../../db/schema';
import { signableOf } from '../../domain/passes/present';
import type { RevocationRow } from './queries';

export const presentSigningKey = (row: SigningKeyRow): SigningKey => ({
  id: row.id,
  algorithm: 'Ed25519',
  slot: row.slot,
  publicKey: row.public_key,
  createdAt: row.created_at.toISOString(),
  retiredAt: row.retired_at?.toISOString() ?? null,
});

/**
 * An entry as it reads now: a revoked pass revokes every code of it; a replaced statement
 * revokes unless the pass states the same again. Undefined for a code no signed code can state.
 */
export function presentRevocation(row: RevocationRow): Revocation | undefined {
  const current = statementOf(signableOf(row));
  if (!current) return undefined;
  if (row.whole_pass) {
    return {
      code: row.code,
      statement: null,
      revoked: row.status === 'revoked',
      expiresAt: row.valid_until?.toISOString() ?? null,
    };
  }
  const replaced = statementOf(
    signableOf({
      code: row.code,
      type: row.replaced_type ?? row.type,
      max_usages: row.replaced_max_usages,
      valid_from: row.replaced_valid_from,
      valid_until: row.replaced_valid_until,
      location_id: row.replaced_location_id,
    }),
  );
  if (!replaced) return undefined;
  const statement = statementKey(replaced);
  return {
    code: row.code,
    statement,
    revoked: statement !== statementKey(current),
    expiresAt: replaced.validUntil?.toISOString() ?? null,
  };
}
