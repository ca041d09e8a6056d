// The admin CLI's commands read from argv and checked, before any database is opened.
import { parseArgs } from 'node:util';
import { AdminError, type CommandGroup, type Flags } from './command';
import { type DeviceCommand, deviceCommands } from './devices';
import { type KeyCommand, keyCommands } from './keys';
import { type PassCommand, passCommands } from './passes';
import { type TenantCommand, tenantCommands } from './tenants';
import { type UserCommand, userCommands } from './users';

export { AdminError };

/** Every group of commands, in the order `USAGE` lists them. */
export const COMMAND_GROUPS = [
  tenantCommands,
  keyCommands,
  deviceCommands,
  userCommands,
  passCommands,
] as const;

export type AdminCommand = TenantCommand | KeyCommand | DeviceCommand | UserCommand | PassCommand;

/** Each group by its noun; each reads and runs only its own commands. */
const BY_NOUN = new Map(
  COMMAND_GROUPS.map((group) => [group.noun, group as unknown as CommandGroup<AdminCommand>]),
);

/** The group of a command (`tenant create`), by its first word. */
export const groupOf = (command: string) => BY_NOUN.get(command.split(' ')[0] ?? '');

export const USAGE = `Usage:\n${COMMAND_GROUPS.flatMap((group) => group.usage)
  .map((line) => `  pnpm admin ${line}`)
  .join('\n')}`;

/** Every flag any command takes; `parseArgs` refuses the rest. */
const FLAGS = [
  'name',
  'plan',
  'max-passes',
  'webhook-quota',
  'tenant',
  'scope',
  'rate-limit',
  'key-id',
  'device-id',
  'email',
  'role',
  'type',
  'client-name',
  'max-usages',
  'valid-from',
  'valid-until',
  'pass-id',
] as const;

/**
 * Reads and checks every argument of a command before anything is opened or written, so a
 * mistake is reported at once and changes nothing.
 */
export function parseAdminCommand(argv: string[]): AdminCommand {
  let flags: Flags;
  let positionals: string[];
  try {
    ({ values: flags, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        ...Object.fromEntries(FLAGS.map((flag) => [flag, { type: 'string' as const }])),
        qr: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new AdminError(`${(error as Error).message}\n${USAGE}`);
  }
  const command = positionals.join(' ');
  const parsed = groupOf(command)?.parse(command, flags, USAGE);
  if (!parsed) throw new AdminError(`Unknown command "${command}"\n${USAGE}`);
  return parsed;
}
