import { z } from 'zod';

export const ErrorBody = z.object({ error: z.string() }).meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof ErrorBody>;

const whole = (field: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${field} must be a whole number` })
    .int(`${field} must be a whole number`)
    .min(min, `${field} must be at least ${min}`)
    .max(max, `${field} must be at most ${max}`);

/** `limit`: a page size from 1 to 100. */
export const limitParam = (defaultLimit: number) => whole('limit', 1, 100).default(defaultLimit);

export const Pagination = {
  limit: limitParam(25),
  page: whole('page', 1, 1_000_000).default(1),
};

export const Me = z
  .object({
    tenant: z.object({ id: z.string(), name: z.string(), plan: z.enum(['free', 'basic', 'pro']) }),
    key: z.object({
      id: z.string(),
      prefix: z.string(),
      scope: z.enum(['full', 'scan']),
      rateLimit: z
        .number()
        .int()
        .describe('Requests per minute this key may make on /passes, /clients and /scan'),
    }),
  })
  .meta({ id: 'Me' });
export type Me = z.infer<typeof Me>;
