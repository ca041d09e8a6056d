import { CreateKeyBody } from '@passgate/shared';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { Database, KeyScope } from '../db/schema';
import {
  AdminError,
  assertTenant,
  type CommandGroup,
  checked,
  limit,
  limitOrNone,
  numberFlag,
  required,
} from './command';

/** `POST /keys`'s body, and the rate limit only an operator may set. */
const KeyFields = CreateKeyBody.extend({ rateLimit: limit('rateLimit').nullable() });

export type KeyCommand =
  | { command: 'key create'; tenantId: string; scope: KeyScope; rateLimit: number | null }
  | { command: 'key update'; keyId: string; rateLimit: number | null }
  | { command: 'key revoke'; keyId: string };

/** A new key of the tenant, with the link that pairs a scanner with it. */
export async function createKey(
  db: Kysely<Database> | Transaction<Database>,
  tenantId: string,
  scope: KeyScope,
  rateLimit: number | null,
  publicUrl: string,
) {
  const { insertKey } = await import('../routes/keys/queries');
  const { apiKey, row } = await insertKey(db, tenantId, { scope, rateLimit });
  return {
    apiKey,
    id: row.id,
    tenantId,
    prefix: row.prefix,
    scope: row.scope,
    rateLimit: row.rate_limit,
    createdAt: row.created_at.toISOString(),
    /** Opening this pairs the scanner; the key stays in the fragment, out of every server log. */
    pairingUrl: `${publicUrl}/scanner/#key=${apiKey}`,
  };
}

export const keyCommands: CommandGroup<KeyCommand> = {
  noun: 'key',
  usage: [
    'key create --tenant ID [--scope full|scan] [--rate-limit N] [--qr]',
    'key update --key-id ID --rate-limit N|none',
    'key revoke --key-id ID',
  ],

  parse(command, flags, usage) {
    switch (command) {
      case 'key create': {
        const tenantId = required(flags, 'tenant', usage);
        const fields = checked(KeyFields, {
          scope: flags.scope,
          rateLimit: numberFlag(flags['rate-limit']) ?? null,
        });
        return { command, tenantId, scope: fields.scope, rateLimit: fields.rateLimit };
      }
      case 'key update': {
        const keyId = required(flags, 'key-id', usage);
        required(flags, 'rate-limit', usage);
        const fields = checked(z.object({ rateLimit: limitOrNone('rateLimit') }), {
          rateLimit: numberFlag(flags['rate-limit']),
        });
        return { command, keyId, rateLimit: fields.rateLimit ?? null };
      }
      case 'key revoke':
        return { command, keyId: required(flags, 'key-id', usage) };
      default:
        return undefined;
    }
  },

  async run({ db, publicUrl }, parsed) {
    switch (parsed.command) {
      case 'key create':
        await assertTenant(db, parsed.tenantId);
        return createKey(db, parsed.tenantId, parsed.scope, parsed.rateLimit, publicUrl);
      case 'key update': {
        const key = await db
          .updateTable('api_keys')
          .set({ rate_limit: parsed.rateLimit })
          .where('id', '=', parsed.keyId)
          .where('revoked_at', 'is', null)
          .returning(['id', 'tenant_id', 'prefix', 'scope', 'rate_limit', 'created_at'])
          .executeTakeFirst();
        if (!key) throw new AdminError(`No active key with id ${parsed.keyId}`);
        return {
          id: key.id,
          tenantId: key.tenant_id,
          prefix: key.prefix,
          scope: key.scope,
          rateLimit: key.rate_limit,
          createdAt: key.created_at.toISOString(),
        };
      }
      case 'key revoke': {
        const revokedAt = new Date();
        const revoked = await db
          .updateTable('api_keys')
          .set({ revoked_at: revokedAt })
          .where('id', '=', parsed.keyId)
          .where('revoked_at', 'is', null)
          .returning('id')
          .executeTakeFirst();
        if (!revoked) throw new AdminError(`No active key with id ${parsed.keyId}`);
        return { id: revoked.id, revokedAt: revokedAt.toISOString() };
      }
    }
  },
};
