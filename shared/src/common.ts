import { z } from 'zod';

export const ErrorBody = z.object({ error: z.string() }).meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof ErrorBody>;

/**
 * A whole-number query parameter, written in decimal digits (`1e2`, `0x10` and ` 5` are not
 * whole numbers to a person). Every way to get it wrong (empty, `abc`, `2.5`, out of range,
 * given twice) gets the one message that says what is allowed. The OpenAPI document shows it
 * as the integer it is, rather than as the string it arrives as.
 */
const whole = (field: string, min: number, max: number, defaultValue: number) => {
  const allowed = `${field} must be a whole number from ${min} to ${max}, given once`;
  return z
    .string({ error: allowed })
    .regex(/^\d{1,9}$/, allowed)
    .pipe(z.coerce.number<string>().min(min, allowed).max(max, allowed))
    .default(defaultValue)
    .meta({
      type: 'integer',
      minimum: min,
      maximum: max,
      default: defaultValue,
      pattern: undefined,
    });
};

/** `limit`: a page size from 1 to 100. */
export const limitParam = (defaultLimit: number) => whole('limit', 1, 100, defaultLimit);

export const Pagination = {
  limit: limitParam(25),
  page: whole('page', 1, 1_000_000, 1),
};

export const Me = z
  .object({
    tenant: z.object({ id: z.string(), name: z.string(), plan: z.enum(['free', 'basic', 'pro']) }),
    role: z
      .enum(['admin', 'staff', 'door'])
      .describe('What the caller may do: a full key or an admin user, a staff user, a scan key'),
    key: z
      .object({
        id: z.string(),
        prefix: z.string(),
        scope: z.enum(['full', 'scan']),
        rateLimit: z
          .number()
          .int()
          .describe('Requests per minute this key may make on /passes, /clients and /scan'),
      })
      .nullable()
      .describe('The calling API key; null for a signed-in user'),
    user: z
      .object({
        id: z.string(),
        email: z.string(),
        name: z.string().nullable(),
        role: z.enum(['admin', 'staff']),
      })
      .nullable()
      .describe('The signed-in user; null for an API key'),
    device: z
      .object({
        id: z.string(),
        name: z.string(),
        location: z
          .object({ id: z.string(), name: z.string(), reentry: z.boolean() })
          .nullable()
          .describe('The location it stands at; null: it admits at any'),
      })
      .nullable()
      .describe('The door device whose credential this key is, if any'),
  })
  .meta({ id: 'Me' });
export type Me = z.infer<typeof Me>;
