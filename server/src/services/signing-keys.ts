import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  encodeStatement,
  formatSignedCode,
  type ParsedSignedCode,
  SIGNING_KEY_SLOTS,
  type SignablePass,
  signedMessage,
  statementOf,
} from '@passgate/shared/core';
import type { Kysely } from 'kysely';
import type { Config } from '../config';
import type { Database } from '../db/schema';
import { newId } from '../domain/ids';
import { ApiError } from '../errors';
import { StartError } from '../start-error';

// The tenants' Ed25519 keys for signed pass codes: made on first need, kept encrypted with the
// server's secret, rotated and retired by admins. Node's crypto signs and verifies.

/** Why a signed code does not verify: forged or edited, no key of that slot, or a retired one. */
export type SignatureProblem = 'forged' | 'unknown_key' | 'retired_key';

export interface SigningKeys {
  /** Signed codes are made (a secret is set, or kept in DATA_DIR). */
  enabled: boolean;
  /** Signs with the tenant's current key (made on first need): each pass's signed code. */
  signer(db: Kysely<Database>, tenantId: string): Promise<(pass: SignablePass) => string | null>;
  /** Checks a signed code against the tenant's keys: undefined when it verifies. */
  check(
    db: Kysely<Database>,
    tenantId: string,
    code: ParsedSignedCode,
  ): Promise<SignatureProblem | undefined>;
  /** A new key signs from now on, in a free slot; the others still verify. */
  rotate(db: Kysely<Database>, tenantId: string): Promise<void>;
  /** Stops the start, in one line, when the secret does not open the keys the database holds. */
  assertOpens(db: Kysely<Database>): Promise<void>;
}

const SECRET_FILE = 'signing-secret';

/**
 * The secret that encrypts private keys: SIGNING_SECRET, else on the embedded database one made
 * once in DATA_DIR (mode 0600). Undefined with PostgreSQL and no SIGNING_SECRET: instances must
 * share it, so none is made up.
 */
export function loadSigningSecret(
  config: Pick<Config, 'signingSecret' | 'databaseUrl' | 'dataDir'>,
) {
  if (config.signingSecret) return config.signingSecret;
  if (config.databaseUrl) return undefined;
  const file = path.join(config.dataDir, SECRET_FILE);
  try {
    if (!existsSync(file)) {
      writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
    }
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new StartError(`DATA_DIR ${file}: ${(error as Error).message}`);
  }
}

const publicKeyOf = (raw: string) =>
  createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw }, format: 'jwk' });

export function createSigningKeys(secret: string | undefined): SigningKeys {
  const aesKey = secret
    ? Buffer.from(hkdfSync('sha256', secret, 'passgate', 'signing keys', 32))
    : undefined;
  const seal = (der: Buffer) => {
    if (!aesKey) throw new Error('no signing secret');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', aesKey, iv);
    const body = Buffer.concat([cipher.update(der), cipher.final()]);
    return [iv, body, cipher.getAuthTag()].map((part) => part.toString('base64url')).join('.');
  };
  /** Private keys opened, by key id (a key never changes). */
  const opened = new Map<string, KeyObject>();
  const open = (id: string, sealed: string) => {
    let key = opened.get(id);
    if (key) return key;
    if (!aesKey) throw new Error('no signing secret');
    const [iv, body, tag] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
    const decipher = createDecipheriv('aes-256-gcm', aesKey, iv as Buffer);
    decipher.setAuthTag(tag as Buffer);
    const der = Buffer.concat([decipher.update(body as Buffer), decipher.final()]);
    key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    opened.set(id, key);
    return key;
  };

  /** Makes a key in the lowest free slot; 409 when every slot holds a key that verifies. */
  const makeKey = async (db: Kysely<Database>, tenantId: string) => {
    const taken = await db
      .selectFrom('signing_keys')
      .select('slot')
      .where('tenant_id', '=', tenantId)
      .where('retired_at', 'is', null)
      .execute();
    const slot = [...Array(SIGNING_KEY_SLOTS).keys()].find(
      (candidate) => !taken.some((key) => key.slot === candidate),
    );
    if (slot === undefined) {
      throw new ApiError(409, `Retire a key first: ${SIGNING_KEY_SLOTS} keys verify already`);
    }
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    await db
      .insertInto('signing_keys')
      .values({
        tenant_id: tenantId,
        id: newId('sk'),
        slot,
        public_key: publicKey.export({ format: 'jwk' }).x as string,
        private_key: seal(privateKey.export({ format: 'der', type: 'pkcs8' })),
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
  };

  const current = (db: Kysely<Database>, tenantId: string) =>
    db
      .selectFrom('signing_keys')
      .select(['id', 'slot', 'private_key'])
      .where('tenant_id', '=', tenantId)
      .where('retired_at', 'is', null)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();

  return {
    enabled: aesKey !== undefined,
    async signer(db, tenantId) {
      if (!aesKey) return () => null;
      let key = await current(db, tenantId);
      if (!key) {
        // Two instances making the first key at once: the slot's index lets one in.
        await makeKey(db, tenantId);
        key = await current(db, tenantId);
      }
      if (!key) throw new Error('no signing key after making one');
      const privateKey = open(key.id, key.private_key);
      const slot = key.slot;
      return (pass) => {
        const statement = statementOf(pass);
        if (!statement) return null;
        const bytes = encodeStatement(statement, slot);
        return formatSignedCode(bytes, sign(null, signedMessage(bytes), privateKey));
      };
    },
    async check(db, tenantId, code) {
      const keys = await db
        .selectFrom('signing_keys')
        .select(['public_key', 'retired_at'])
        .where('tenant_id', '=', tenantId)
        .where('slot', '=', code.slot)
        .execute();
      const message = signedMessage(code.statementBytes);
      const signedBy = keys.find((key) =>
        verify(null, message, publicKeyOf(key.public_key), code.signature),
      );
      if (signedBy) return signedBy.retired_at === null ? undefined : 'retired_key';
      return keys.some((key) => key.retired_at === null) ? 'forged' : 'unknown_key';
    },
    async rotate(db, tenantId) {
      await makeKey(db, tenantId);
    },
    async assertOpens(db) {
      if (!aesKey) return;
      const any = await db
        .selectFrom('signing_keys')
        .select(['id', 'private_key'])
        .limit(1)
        .executeTakeFirst();
      if (!any) return;
      try {
        open(any.id, any.private_key);
      } catch {
        throw new StartError(
          'SIGNING_SECRET does not open the signing keys in the database: set the secret they were made with',
        );
      }
    },
  };
}
