import type { Revocation, SigningKey } from '@passgate/shared';
import { statementKey, statementOf } from '@passgate/shared/core';
import type { SigningKeyRow } from '../../db/schema';
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
  const current = statementOf({
    code: row.code,
    type: row.pass_type,
    maxUsages: row.pass_max_usages,
    validFrom: row.pass_valid_from,
    validUntil: row.pass_valid_until,
    locationId: row.pass_location_id,
  });
  if (!current) return undefined;
  if (row.whole_pass) {
    return {
      code: row.code,
      statement: null,
      revoked: row.status === 'revoked',
      expiresAt: row.pass_valid_until?.toISOString() ?? null,
    };
  }
  const replaced = statementOf({
    code: row.code,
    type: row.type ?? row.pass_type,
    maxUsages: row.max_usages,
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    locationId: row.location_id,
  });
  if (!replaced) return undefined;
  const statement = statementKey(replaced);
  return {
    code: row.code,
    statement,
    revoked: statement !== statementKey(current),
    expiresAt: replaced.validUntil?.toISOString() ?? null,
  };
}
