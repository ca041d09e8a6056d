// Runs the admin commands that `./parse` reads. Types only from Kysely: the CLI loads this
// module before it knows whether a running server will take the command, and then loads no
// database driver at all.
import type { Kysely, Transaction } from 'kysely';
import type { Database, KeyScope, Plan } from '../db/schema';
import { newId } from '../domain/ids';
import { type AdminCommand, AdminError } from './parse';

export interface AdminContext {
  db: Kysely<Database>;
  /** Base URL of the scanner pairing link. */
  publicUrl: string;
}

const presentTenant = (t: {
  id: string;
  name: string;
  plan: Plan;
  max_passes: number | null;
  webhook_quota: number;
  created_at: Date;
}) => ({
  id: t.id,
  name: t.name,
  plan: t.plan,
  maxPasses: t.max_passes,
  webhookQuota: t.webhook_quota,
  createdAt: t.created_at.toISOString(),
});

async function createKey(
  db: Kysely<Database> | Transaction<Database>,
  tenantId: string,
  scope: KeyScope,
  rateLimit: number | null,
  publicUrl: string,
) {
  // Loaded when run: checking a command must not load the routes (or Kysely).
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

/** An admin command, its arguments all checked: what `parseAdminCommand` makes of argv. */
/**
 * Runs one admin command, parsed by `parseAdminCommand`, and returns what it prints as JSON.
 * Shared by the CLI and by the server's admin socket (which the CLI uses while a server holds the
 * embedded database).
 */
export async function runAdminCommand(
  context: AdminContext,
  parsed: AdminCommand,
): Promise<unknown> {
  const { db, publicUrl } = context;
  switch (parsed.command) {
    case 'tenant create':
      // The tenant and its first key together, or neither.
      return db.transaction().execute(async (trx) => {
        const tenant = await trx
          .insertInto('tenants')
          .values({
            id: newId('ten'),
            name: parsed.name,
            plan: parsed.plan,
            max_passes: parsed.maxPasses,
            webhook_quota: parsed.webhookQuota,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const key = await createKey(trx, tenant.id, 'full', parsed.rateLimit, publicUrl);
        return {
          tenant: presentTenant(tenant),
          apiKey: key.apiKey,
          key: { ...key, apiKey: undefined },
        };
      });
    case 'tenant list': {
      const tenants = await db
        .selectFrom('tenants')
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return tenants.map(presentTenant);
    }
    case 'tenant show': {
      const { tenantId } = parsed;
      const tenant = await db
        .selectFrom('tenants')
        .selectAll()
        .where('id', '=', tenantId)
        .executeTakeFirst();
      if (!tenant) throw new AdminError(`No tenant with id ${tenantId}`);
      const count = (table: 'passes' | 'clients' | 'scans' | 'events') =>
        db
          .selectFrom(table)
          .select((eb) => eb.cast<number>(eb.fn.countAll(), 'integer').as('n'))
          .where('tenant_id', '=', tenantId)
          .executeTakeFirstOrThrow()
          .then((row) => row.n);
      const keys = await db
        .selectFrom('api_keys')
        .select(['id', 'prefix', 'scope', 'rate_limit', 'created_at', 'revoked_at'])
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at')
        .execute();
      return {
        tenant: presentTenant(tenant),
        counts: {
          passes: await count('passes'),
          clients: await count('clients'),
          scans: await count('scans'),
          events: await count('events'),
        },
        keys: keys.map((k) => ({
          id: k.id,
          prefix: k.prefix,
          scope: k.scope,
          rateLimit: k.rate_limit,
          createdAt: k.created_at.toISOString(),
          revokedAt: k.revoked_at?.toISOString() ?? null,
        })),
      };
    }
    case 'tenant update': {
      // Every server forgets the tenant's cached keys on commit (see the auth-notify migration).
      const tenant = await db
        .updateTable('tenants')
        .set(parsed.changes)
        .where('id', '=', parsed.tenantId)
        .returningAll()
        .executeTakeFirst();
      if (!tenant) throw new AdminError(`No tenant with id ${parsed.tenantId}`);
      return presentTenant(tenant);
    }
    case 'key create': {
      const tenant = await db
        .selectFrom('tenants')
        .select('id')
        .where('id', '=', parsed.tenantId)
        .executeTakeFirst();
      if (!tenant) throw new AdminError(`No tenant with id ${parsed.tenantId}`);
      return createKey(db, parsed.tenantId, parsed.scope, parsed.rateLimit, publicUrl);
    }
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
    case 'device create':
    case 'device list':
    case 'device revoke':
      return runDeviceCommand(context, parsed);
    case 'user create':
      return createUser(context, parsed);
  }
}

/** An invited user: the same queries and answer as `POST /api/v1/users`. */
async function createUser(
  { db, publicUrl }: AdminContext,
  parsed: Extract<AdminCommand, { command: 'user create' }>,
) {
  const users = await import('../routes/users/queries');
  const { presentInvite } = await import('../routes/users/present');
  const tenant = await db
    .selectFrom('tenants')
    .select('id')
    .where('id', '=', parsed.tenantId)
    .executeTakeFirst();
  if (!tenant) throw new AdminError(`No tenant with id ${parsed.tenantId}`);
  return db.transaction().execute(async (trx) => {
    const user = await users.insertUser(trx, parsed.tenantId, parsed);
    if (!user) throw new AdminError(`A user with the email ${parsed.email} exists already`);
    return presentInvite(publicUrl, user, await users.startInvite(trx, user.id));
  });
}

/** The door-device commands: the same queries and answers as `/api/v1/devices`. */
async function runDeviceCommand(
  { db, publicUrl }: AdminContext,
  parsed: Extract<AdminCommand, { command: `device ${string}` }>,
): Promise<unknown> {
  // Loaded when run: checking a command must not load the routes (or Kysely).
  const devices = await import('../routes/devices/queries');
  const { presentDevice, presentPairing } = await import('../routes/devices/present');
  const tenantExists = async (tenantId: string) => {
    const tenant = await db
      .selectFrom('tenants')
      .select('id')
      .where('id', '=', tenantId)
      .executeTakeFirst();
    if (!tenant) throw new AdminError(`No tenant with id ${tenantId}`);
  };
  switch (parsed.command) {
    case 'device create': {
      await tenantExists(parsed.tenantId);
      return db.transaction().execute(async (trx) => {
        const device = await devices.insertDevice(trx, parsed.tenantId, {
          name: parsed.name,
          rateLimit: parsed.rateLimit ?? undefined,
        });
        return presentPairing(publicUrl, device, await devices.startPairing(trx, device.id));
      });
    }
    case 'device list': {
      await tenantExists(parsed.tenantId);
      const { rows } = await devices.listDevices(db, parsed.tenantId, {
        page: 1,
        limit: 1_000_000,
      });
      return rows.map(presentDevice);
    }
    case 'device revoke': {
      const device = await db
        .selectFrom('devices')
        .select(['tenant_id'])
        .where('id', '=', parsed.deviceId)
        .executeTakeFirst();
      const revoked =
        device &&
        (await db
          .transaction()
          .execute((trx) => devices.revokeDevice(trx, device.tenant_id, parsed.deviceId)));
      if (!revoked) throw new AdminError(`No active device with id ${parsed.deviceId}`);
      return presentDevice(revoked);
    }
  }
}
