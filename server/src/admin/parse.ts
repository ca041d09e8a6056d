// The admin CLI's commands read from argv and checked, before any database is opened.
import { parseArgs } from 'node:util';
import type { KeyScope, Plan } from '../db/schema';

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
