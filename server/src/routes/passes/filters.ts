import { z } from '@hono/zod-openapi';
import { PASS_STATUSES, PASS_TYPES } from '@passgate/shared';

/** What the list and its CSV export may be narrowed by. */
export const PassFilters = {
  search: z
    .string()
    .max(200)
    .optional()
    .describe('Case-insensitive match anywhere in name or code'),
  status: z
    .enum(PASS_STATUSES, { error: 'status must be one of active, used, expired, revoked' })
    .optional(),
  type: z.enum(PASS_TYPES, { error: 'type must be "single" or "multi"' }).optional(),
  clientId: z.string().max(100).optional().describe("Only this client's passes"),
  locationId: z.string().max(100).optional().describe('Only the passes bound to this location'),
};
