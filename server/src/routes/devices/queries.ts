import { DOOR_RATE_LIMIT } from '@passgate/shared';
import type { Kysely, Transaction } from 'kysely';
import type { Database, DeviceRow } from '../../db/schema';
import {
  apiKeyPrefix,
  newApiKey,
  newId,
  newPairingToken,
  PAIRING_TOKEN_PATTERN,
  sha256,
} from '../../domain/ids';
import { assertLocationsUsable } from '../locations/queries';
import { paginate } from '../support';

/** A pairing link works once, for this long. */
export const PAIRING_TTL_MS = 24 * 60 * 60 * 1000;

export type PairingFailure = 'unknown' | 'used' | 'expired';

export async function insertDevice(
  trx: Transaction<Database>,
  tenantId: string,
  device: { name: string; rateLimit?: number | undefined; locationId?: string | null | undefined },
  now = new Date(),
) {
  await assertLocationsUsable(trx, tenantId, device.locationId == null ? [] : [device.locationId]);
  return trx
    .insertInto('devices')
    .values({
      id: newId('dev'),
      tenant_id: tenantId,
      name: device.name,
      location_id: device.locationId ?? null,
      rate_limit: device.rateLimit ?? DOOR_RATE_LIMIT,
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * A fresh pairing token for the device. Ends whatever credential and unused token it had, so a
 * lost or replaced phone stops working at once.
 */
export async function startPairing(
  trx: Transaction<Database>,
  deviceId: string,
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  await endCredentials(trx, deviceId, now);
  const token = newPairingToken();
  const expiresAt = new Date(now.getTime() + PAIRING_TTL_MS);
  await trx
    .insertInto('device_pairings')
    .values({ token_hash: sha256(token), device_id: deviceId, expires_at: expiresAt })
    .execute();
  return { token, expiresAt };
}

/** Revokes the device's keys and spends its unused pairing tokens. */
async function endCredentials(trx: Transaction<Database>, deviceId: string, now: Date) {
  await trx
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('device_id', '=', deviceId)
    .where('revoked_at', 'is', null)
    .execute();
  await trx
    .updateTable('device_pairings')
    .set({ used_at: now })
    .where('device_id', '=', deviceId)
    .where('used_at', 'is', null)
    .execute();
}

/** A device of the tenant, locked for the rest of the transaction when `trx` is one. */
export async function findDevice(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
): Promise<DeviceRow | undefined> {
  return db
    .selectFrom('devices')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function listDevices(
  db: Kysely<Database>,
  tenantId: string,
  page: { page: number; limit: number },
) {
  return paginate(
    db,
    db
      .selectFrom('devices')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc'),
    page,
  );
}

/** Revokes a device and its credential; undefined when it was not there or already revoked. */
export async function revokeDevice(
  trx: Transaction<Database>,
  tenantId: string,
  id: string,
  now = new Date(),
): Promise<DeviceRow | undefined> {
  const device = await trx
    .updateTable('devices')
    .set({ revoked_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (device) await endCredentials(trx, device.id, now);
  return device;
}

/**
 * The pairing of a token, with its device and tenant, if the token can still be used: once,
 * before it expires, and while the device stands; else why not. `lock` holds it until the
 * transaction ends.
 */
async function findPairing(
  db: Kysely<Database>,
  token: string,
  now: Date,
  { lock }: { lock: boolean },
) {
  if (!PAIRING_TOKEN_PATTERN.test(token))
    return { ok: false as const, failure: 'unknown' as const };
  let query = db
    .selectFrom('device_pairings')
    .innerJoin('devices', 'devices.id', 'device_pairings.device_id')
    .innerJoin('tenants', 'tenants.id', 'devices.tenant_id')
    .select([
      'device_pairings.used_at',
      'device_pairings.expires_at',
      'devices.id as device_id',
      'devices.name as device_name',
      'devices.revoked_at',
      'devices.rate_limit',
      'tenants.id as tenant_id',
      'tenants.name as tenant_name',
    ])
    .where('device_pairings.token_hash', '=', sha256(token));
  if (lock) query = query.forUpdate('device_pairings');
  const pairing = await query.executeTakeFirst();
  const failure: PairingFailure | undefined =
    !pairing || pairing.revoked_at
      ? 'unknown'
      : pairing.used_at
        ? 'used'
        : pairing.expires_at <= now
          ? 'expired'
          : undefined;
  if (failure || !pairing) return { ok: false as const, failure: failure ?? 'unknown' };
  return { ok: true as const, pairing };
}

/**
 * Whom a pairing token would pair a phone with (its door and tenant) and until when, changing
 * nothing: a phone paired already asks its staff before it takes the link.
 */
export async function previewPairing(db: Kysely<Database>, token: string, now = new Date()) {
  const found = await findPairing(db, token, now, { lock: false });
  if (!found.ok) return found;
  const { pairing } = found;
  return {
    ok: true as const,
    preview: {
      device: { name: pairing.device_name },
      tenant: { name: pairing.tenant_name },
      expiresAt: pairing.expires_at.toISOString(),
    },
  };
}

/**
 * Exchanges a pairing token for a new scan-scope key bound to its device: once, before it
 * expires, and while the device stands. Returns why not otherwise, having changed nothing.
 */
export async function redeemPairing(
  trx: Transaction<Database>,
  token: string,
  now = new Date(),
): Promise<
  | { ok: true; apiKey: string; device: DeviceRow; tenant: { id: string; name: string } }
  | { ok: false; failure: PairingFailure }
> {
  const found = await findPairing(trx, token, now, { lock: true });
  if (!found.ok) return found;
  const { pairing } = found;

  await endCredentials(trx, pairing.device_id, now);
  const apiKey = newApiKey();
  await trx
    .insertInto('api_keys')
    .values({
      id: newId('key'),
      tenant_id: pairing.tenant_id,
      prefix: apiKeyPrefix(apiKey),
      key_hash: sha256(apiKey),
      scope: 'scan',
      rate_limit: pairing.rate_limit,
      device_id: pairing.device_id,
      revoked_at: null,
    })
    .execute();
  const device = await trx
    .selectFrom('devices')
    .selectAll()
    .where('id', '=', pairing.device_id)
    .executeTakeFirstOrThrow();
  return {
    ok: true,
    apiKey,
    device,
    tenant: { id: pairing.tenant_id, name: pairing.tenant_name },
  };
}

/** Renames the device or moves it to a location (null: any); undefined when it is not there. */
export async function updateDevice(
  trx: Transaction<Database>,
  tenantId: string,
  id: string,
  changes: { name?: string | undefined; locationId?: string | null | undefined },
): Promise<DeviceRow | undefined> {
  if (changes.locationId != null) await assertLocationsUsable(trx, tenantId, [changes.locationId]);
  const set = {
    ...(changes.name === undefined ? {} : { name: changes.name }),
    ...(changes.locationId === undefined ? {} : { location_id: changes.locationId }),
  };
  if (Object.keys(set).length === 0) return findDevice(trx, tenantId, id);
  return trx
    .updateTable('devices')
    .set(set)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}
