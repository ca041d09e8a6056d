// Runs the admin commands that `./parse` reads, each by its group. Types only from Kysely: the
// CLI loads this module before it knows whether a running server will take the command, and then
// loads no database driver at all.
import type { AdminContext } from './command';
import { type AdminCommand, groupOf } from './parse';

export type { AdminContext };

/**
 * Runs one admin command, parsed by `parseAdminCommand`, and returns what it prints as JSON.
 * Shared by the CLI and by the server's admin socket (which the CLI uses while a server holds the
 * embedded database).
 */
export async function runAdminCommand(
  context: AdminContext,
  parsed: AdminCommand,
): Promise<unknown> {
  const group = groupOf(parsed.command);
  if (!group) throw new Error(`no group runs "${parsed.command}"`);
  return group.run(context, parsed);
}
