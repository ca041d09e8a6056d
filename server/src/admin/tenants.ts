import { z } from 'zod';
import type { Plan } from '../db/schema';
import { newId } from '../domain/ids';
import {
  AdminError,
  type CommandGroup,
  checked,
  limit,
  limitOrNone,
  numberFlag,
  required,
} from './command';
import { createKey } from './keys';

const PLANS = ['free', 'basic', 'pro'] as const;

const TenantFields = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'name must be 1 to 200 characters')
    .max(200, 'name must be 1 to 200 characters'),
  plan: z.enum(PLANS),
  maxPasses: limit('maxPasses').nullable(),
  webhookQuota: limit('webhookQuota'),
  rateLimit: limit('rateLimit').nullable(),
});

export type TenantCommand =
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
      changes: { name?: string; plan?: Plan; max_passes?: number | null; webhook_quota?: number };
    };

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

export const tenantCommands: CommandGroup<TenantCommand> = {
  noun: 'tenant',
  usage: [
    'tenant create --name NAME [--plan pro|basic|free] [--max-passes N] [--webhook-quota N] [--rate-limit N]',
    'tenant list',
    'tenant show --tenant ID',
    'tenant update --tenant ID [--name NAME] [--plan pro|basic|free] [--max-passes N|none] [--webhook-quota N]',
  ],

  parse(command, flags, usage) {
    switch (command) {
      case 'tenant create': {
        required(flags, 'name', usage);
        const fields = checked(TenantFields, {
          name: flags.name,
          plan: flags.plan ?? 'pro',
          maxPasses: numberFlag(flags['max-passes']) ?? null,
          webhookQuota: numberFlag(flags['webhook-quota']) ?? 10,
          rateLimit: numberFlag(flags['rate-limit']) ?? null,
        });
        return { command, ...fields };
      }
      case 'tenant list':
        return { command };
      case 'tenant show':
        return { command, tenantId: required(flags, 'tenant', usage) };
      case 'tenant update': {
        const tenantId = required(flags, 'tenant', usage);
        const fields = checked(
          TenantFields.pick({ name: true, plan: true, webhookQuota: true })
            .partial()
            .extend({ maxPasses: limitOrNone('maxPasses') }),
          {
            name: flags.name,
            plan: flags.plan,
            maxPasses: numberFlag(flags['max-passes']),
            webhookQuota: numberFlag(flags['webhook-quota']),
          },
        );
        const changes = {
          name: fields.name,
          plan: fields.plan,
          max_passes: fields.maxPasses,
          webhook_quota: fields.webhookQuota,
        };
        if (Object.values(changes).every((value) => value === undefined)) {
          throw new AdminError(
            `Give at least one of --name, --plan, --max-passes, --webhook-quota\n${usage}`,
          );
        }
        return { command, tenantId, changes };
      }
      default:
        return undefined;
    }
  },

  async run({ db, publicUrl }, parsed) {
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
    }
  },
};
