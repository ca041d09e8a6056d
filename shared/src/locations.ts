import { z } from 'zod';

/**
 * An IANA time zone name as the runtime knows it (`Europe/Lisbon`, `UTC`): a region and a city,
 * or one of the few single names (`UTC`, `Etc/GMT+3`). Offsets (`+05:00`) and abbreviations
 * other than the zone database's own are refused.
 */
export function isTimeZone(value: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const name = z.string().trim().min(1, 'name must not be empty').max(200);
const address = z.string().trim().max(500);
const timezone = z
  .string()
  .max(100)
  .refine(isTimeZone, { error: 'timezone must be an IANA time zone such as "Europe/Lisbon"' });
const latitude = z
  .number({ error: 'latitude must be a number' })
  .min(-90, 'latitude must be between -90 and 90')
  .max(90, 'latitude must be between -90 and 90');
const longitude = z
  .number({ error: 'longitude must be a number' })
  .min(-180, 'longitude must be between -180 and 180')
  .max(180, 'longitude must be between -180 and 180');
const capacity = z
  .number({ error: 'capacity must be a whole number' })
  .int('capacity must be a whole number')
  .min(1, 'capacity must be at least 1')
  .max(10_000_000, 'capacity must be at most 10000000');
const reentry = z
  .boolean()
  .describe(
    'A pass whose last scan here was an exit comes back in without using another use of it',
  );

/** Coordinates come as a pair: both, or neither. */
const bothOrNeither = (body: { latitude?: unknown; longitude?: unknown }) =>
  (body.latitude === undefined) === (body.longitude === undefined) &&
  (body.latitude === null) === (body.longitude === null);
const COORDINATES = {
  error: 'latitude and longitude come together: send both, or neither',
  path: ['latitude'],
};

export const CreateLocationBody = z
  .object({
    name,
    address: address.optional(),
    timezone: timezone.optional().describe('IANA time zone; UTC when left out'),
    latitude: latitude.optional(),
    longitude: longitude.optional(),
    capacity: capacity
      .optional()
      .describe('How many may be inside at once: it informs, never refuses'),
    reentry: reentry.optional().describe('false when left out'),
  })
  .refine(bothOrNeither, COORDINATES)
  .meta({ id: 'CreateLocation' });
export type CreateLocationBody = z.infer<typeof CreateLocationBody>;
export type CreateLocationInput = z.input<typeof CreateLocationBody>;

export const UpdateLocationBody = z
  .object({
    name: name.optional(),
    address: address.nullable().optional(),
    timezone: timezone.optional(),
    latitude: latitude.nullable().optional(),
    longitude: longitude.nullable().optional(),
    capacity: capacity.nullable().optional(),
    reentry: reentry.optional(),
  })
  .refine(bothOrNeither, COORDINATES)
  .meta({ id: 'UpdateLocation' });
export type UpdateLocationBody = z.infer<typeof UpdateLocationBody>;
export type UpdateLocationInput = z.input<typeof UpdateLocationBody>;

export const Location = z
  .object({
    id: z.string().describe('loc_…, or the value passes named it by before locations existed'),
    name: z.string(),
    address: z.string().nullable(),
    timezone: z.string(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    capacity: z.number().int().nullable(),
    reentry: z.boolean(),
    occupancy: z
      .number()
      .int()
      .describe('Passes inside now: their last successful scan here was an entry'),
    createdAt: z.string(),
    archivedAt: z.string().nullable().describe('Archived: no new pass or door may name it'),
  })
  .meta({ id: 'Location' });
export type Location = z.infer<typeof Location>;
