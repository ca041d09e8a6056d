import { parseArgs } from 'node:util';
// Types only from Kysely: the CLI loads this module to check a command, and sends it to a running
// server without loading Kysely (or any database driver) at all.
import type { Kysely, Transaction } from 'kysely';
import type { Database, KeyScope, Plan } from '../db/schema';
import { newId } from '../domain/ids';

/** An operator's mistake: printed as `{ "error": … }` with exit code 1. */
export class AdminError extends Error {}

export const USAGE = `Usage:
  pnpm admin tenant create --name NAME [--plan pro|basic|free] [--max-passes N] [--webhook-quota N] [--rate-limit N]
  pnpm admin tenant list
  pnpm admin tenant show --tenant ID
  pnpm admin tenant update --tenant ID [--name NAME] [--plan pro|basic|free] [--max-passes N|none] [--webhook-quota N]
  pnpm admin key create --tenant ID [--scope full|scan] [--rate-limit N] [--qr]
  pnpm admin key update --key-id ID --rate-limit N|none
  pnpm admin key revoke --key-id ID
  pnpm admin device create --tenant ID --name NAME [--rate-limit N] [--qr]
  pnpm admin device list --tenant ID
  pnpm admin device revoke --device-id ID
  pnpm admin user create --tenant ID --email EMAIL [--name NAME] [--role admin|staff]`;

export interface AdminContext {
  db: Kysely<Database>;
  /** Base URL of the scanner pairing link. */
  publicUrl: string;
}

const PLANS = ['free', 'basic', 'pro'] as const;
const SCOPES = ['full', 'scan'] as const;
const ROLES = ['admin', 'staff'] as const;

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  flag: string,
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new AdminError(`--${flag} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

const MAX_LIMIT = 1_000_000_000;
const isLimit = (value: string) =>
  /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= MAX_LIMIT;

function positiveInt(value: string | undefined, flag: string): number | null {
  if (value === undefined) return null;
  if (!isLimit(value))
    throw new AdminError(`--${flag} must be a whole number from 1 to ${MAX_LIMIT}`);
  return Number(value);
}

/** A limit that `none` lifts (null); left out, `undefined`: the update leaves it as it is. */
function limitOrNone(value: string | undefined, flag: string): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'none') return null;
  if (!isLimit(value)) {
    throw new AdminError(`--${flag} must be a whole number from 1 to ${MAX_LIMIT}, or none`);
  }
  return Number(value);
}

function tenantName(value: string): string {
  const name = value.trim();
  if (!name || name.length > 200) throw new AdminError('--name must be 1 to 200 characters');
  return name;
}

function required(value: string | undefined, flag: string): string {
  if (!value) throw new AdminError(`--${flag} is required\n${USAGE}`);
  return value;
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
export type AdminCommand =
  | {
      command: 'tenant create';
      name: string;
      plan: Plan;
      maxPasses: number | null;
      webhookQuota: number;
      rateLimit: number | null;
    }
  | { command: 'tenant list' }
  | { command: 'tenant show'; tenantId: string }
  | {
      command: 'tenant update';
      tenantId: string;
      changes: {
        name?: string;
        plan?: Plan;
        max_passes?: number | null;
        webhook_quota?: number;
      };
    }
  | { command: 'key create'; tenantId: string; scope: KeyScope; rateLimit: number | null }
  | { command: 'key update'; keyId: string; rateLimit: number | null }
  | { command: 'key revoke'; keyId: string }
  | { command: 'device create'; tenantId: string; name: string; rateLimit: number | null }
  | { command: 'device list'; tenantId: string }
  | { command: 'device revoke'; deviceId: string }
  | {
      command: 'user create';
      tenantId: string;
      email: string;
      name: string | undefined;
      role: 'admin' | 'staff';
    };

/**
 * Reads and checks every argument of a command before anything is opened or written, so a
 * mistake is reported at once and changes nothing.
 */
export function parseAdminCommand(argv: string[]): AdminCommand {
  let parsed: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        name: { type: 'string' },
        plan: { type: 'string' },
        'max-passes': { type: 'string' },
        'webhook-quota': { type: 'string' },
        tenant: { type: 'string' },
        scope: { type: 'string' },
        'rate-limit': { type: 'string' },
        qr: { type: 'boolean' },
        'key-id': { type: 'string' },
        'device-id': { type: 'string' },
        email: { type: 'string' },
        role: { type: 'string' },
      },
    });
  }
  try {
    parsed = parse();
  } catch (error) {
    throw new AdminError(`${(error as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const command = positionals.join(' ');

  switch (command) {
    case 'tenant create':
      return {
        command,
        name: tenantName(required(values.name, 'name')),
        plan: oneOf(values.plan, PLANS, 'plan', 'pro'),
        maxPasses: positiveInt(values['max-passes'], 'max-passes'),
        webhookQuota: positiveInt(values['webhook-quota'], 'webhook-quota') ?? 10,
        rateLimit: positiveInt(values['rate-limit'], 'rate-limit'),
      };
    case 'tenant list':
      return { command };
    case 'tenant show':
      return { command, tenantId: required(values.tenant, 'tenant') };
    case 'tenant update': {
      const tenantId = required(values.tenant, 'tenant');
      const changes = {
        name: values.name === undefined ? undefined : tenantName(values.name),
        plan: values.plan === undefined ? undefined : oneOf(values.plan, PLANS, 'plan', 'pro'),
        max_passes: limitOrNone(values['max-passes'], 'max-passes'),
        webhook_quota: positiveInt(values['webhook-quota'], 'webhook-quota') ?? undefined,
      };
      if (Object.values(changes).every((value) => value === undefined)) {
        throw new AdminError(
          `Give at least one of --name, --plan, --max-passes, --webhook-quota\n${USAGE}`,
        );
      }
      return { command, tenantId, changes };
    }
    case 'key create':
      return {
        command,
        tenantId: required(values.tenant, 'tenant'),
        scope: oneOf(values.scope, SCOPES, 'scope', 'full'),
        rateLimit: positiveInt(values['rate-limit'], 'rate-limit'),
      };
    case 'key update': {
      const keyId = required(values['key-id'], 'key-id');
      const rateLimit = limitOrNone(values['rate-limit'], 'rate-limit');
      if (rateLimit === undefined) throw new AdminError(`--rate-limit is required\n${USAGE}`);
      return { command, keyId, rateLimit };
    }
    case 'key revoke':
      return { command, keyId: required(values['key-id'], 'key-id') };
    case 'device create': {
      const name = required(values.name, 'name').trim();
      if (!name || name.length > 100) throw new AdminError('--name must be 1 to 100 characters');
      return {
        command,
        tenantId: required(values.tenant, 'tenant'),
        name,
        rateLimit: positiveInt(values['rate-limit'], 'rate-limit'),
      };
    }
    case 'device list':
      return { command, tenantId: required(values.tenant, 'tenant') };
    case 'device revoke':
      return { command, deviceId: required(values['device-id'], 'device-id') };
    case 'user create': {
      const email = required(values.email, 'email').trim();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) {
        throw new AdminError('--email must be an email address such as ana@example.com');
      }
      const name = values.name?.trim();
      if (name !== undefined && name.length > 200) {
        throw new AdminError('--name must be at most 200 characters');
      }
      return {
        command,
        tenantId: required(values.tenant, 'tenant'),
        email,
        name: name || undefined,
        role: oneOf(values.role, ROLES, 'role', 'admin'),
      };
    }
    default:
      throw new AdminError(`Unknown command "${command}"\n${USAGE}`);
  }
}

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
