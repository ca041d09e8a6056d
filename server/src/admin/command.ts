import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/schema';

// What every group of admin commands is made of: reading its flags into the fields of a zod
// schema (the API's own, where the command does what a route does) and checking them before any
// database is opened; then running it.

/** An operator's mistake: printed as `{ "error": … }` with exit code 1. */
export class AdminError extends Error {}

/** The flags `parseArgs` read, by their names on the command line. */
export type Flags = Record<string, string | boolean | undefined>;

/** The most any limit may be: a requests-a-minute budget, a number of passes. */
export const MAX_LIMIT = 1_000_000_000;

/** A whole number from 1 to MAX_LIMIT, every message of it `error`. */
const wholeNumber = (error: string) =>
  z.number({ error }).int(error).min(1, error).max(MAX_LIMIT, error);

/** A limit from 1 to MAX_LIMIT; its message names the field, for `checked` to name the flag. */
export const limit = (field: string) =>
  wholeNumber(`${field} must be a whole number from 1 to ${MAX_LIMIT}`);

/** A limit that `none` lifts (null), or left out. */
export const limitOrNone = (field: string) =>
  wholeNumber(`${field} must be a whole number from 1 to ${MAX_LIMIT}, or none`)
    .nullable()
    .optional();

const asFlag = (field: string) => `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** A flag's text as a number where it is a whole number, `none` as null; else as it is. */
export function numberFlag(value: string | boolean | undefined): unknown {
  if (typeof value !== 'string') return value;
  if (value === 'none') return null;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** A flag that must be given: an id, most often. */
export function required(flags: Flags, flag: string, usage: string): string {
  const value = flags[flag];
  if (typeof value !== 'string' || !value) throw new AdminError(`--${flag} is required\n${usage}`);
  return value;
}

/**
 * `input` checked by `schema`; the first problem as an AdminError that names the flag
 * ("--rate-limit must be …", where the API would say "rateLimit must be …").
 */
export function checked<S extends z.ZodType>(
  schema: S,
  input: Record<string, unknown>,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = String(issue?.path[0] ?? '');
  const message = issue?.message ?? 'invalid';
  throw new AdminError(
    message.startsWith(field) && field
      ? `${asFlag(field)}${message.slice(field.length)}`
      : `${asFlag(field)}: ${message}`,
  );
}

export interface AdminContext {
  db: Kysely<Database>;
  /** Base URL of the scanner pairing link and the pass pages. */
  publicUrl: string;
}

/**
 * The commands of one noun (`tenant`, `key`, `device`, `user`, `pass`): their usage lines, how
 * each is read from its flags, and how it runs. Running loads the routes' modules when it
 * starts, so checking a command loads neither them nor a database driver.
 */
export interface CommandGroup<C extends { command: string }> {
  /** What its commands start with: `pnpm admin tenant …`. */
  noun: string;
  usage: readonly string[];
  /** The command read and checked, or undefined when `command` is none of this group's. */
  parse(command: string, flags: Flags, usage: string): C | undefined;
  run(context: AdminContext, parsed: C): Promise<unknown>;
}

/** A 4xx from a route's module (no such pass, say), as the operator's mistake it is here. */
export async function asAdminErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (typeof status === 'number' && status < 500) throw new AdminError((error as Error).message);
    throw error;
  }
}

/** The tenant, or an AdminError naming the id. */
export async function assertTenant(db: Kysely<Database>, tenantId: string) {
  const tenant = await db
    .selectFrom('tenants')
    .select(['id', 'max_passes'])
    .where('id', '=', tenantId)
    .executeTakeFirst();
  if (!tenant) throw new AdminError(`No tenant with id ${tenantId}`);
  return tenant;
}
