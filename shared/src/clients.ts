import { z } from 'zod';

export const CreateClientBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    email: z.email().max(320).optional(),
    phone: z.string().trim().max(50).optional(),
    notes: z.string().max(5000).optional(),
  })
  .meta({ id: 'CreateClient' });
export type CreateClientBody = z.infer<typeof CreateClientBody>;
export type CreateClientInput = z.input<typeof CreateClientBody>;

export const UpdateClientBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    email: z.email().max(320).nullable().optional(),
    phone: z.string().trim().max(50).nullable().optional(),
    notes: z.string().max(5000).nullable().optional(),
  })
  .meta({ id: 'UpdateClient' });
export type UpdateClientBody = z.infer<typeof UpdateClientBody>;

export const MergeClientBody = z
  .object({
    into: z
      .string()
      .min(1, 'into: name the client to keep (its id)')
      .max(100)
      .describe('The client that stays: this one goes, its passes moving to it'),
  })
  .meta({ id: 'MergeClient' });
export type MergeClientBody = z.infer<typeof MergeClientBody>;

export const Client = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    notes: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Client' });
export type Client = z.infer<typeof Client>;
