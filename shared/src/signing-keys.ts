import { z } from 'zod';

/** A tenant's key for signed pass codes, as doors and integrators verify with it. */
export const SigningKey = z
  .object({
    id: z.string(),
    algorithm: z.literal('Ed25519'),
    slot: z.number().int().min(0).max(7).describe('What a signed code names its key by'),
    publicKey: z.string().describe('The raw 32-byte public key, base64url'),
    createdAt: z.string(),
    retiredAt: z
      .string()
      .nullable()
      .describe('From then on, codes it signed are refused as `invalid_signature`'),
  })
  .meta({ id: 'SigningKey' });
export type SigningKey = z.infer<typeof SigningKey>;
