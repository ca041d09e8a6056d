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

/** An entry of the tenant's revocation list of signed codes, as an integrator follows it. */
export const Revocation = z
  .object({
    code: z.string().describe("The pass's 12-character code"),
    statement: z
      .string()
      .nullable()
      .describe(
        'The statement a replaced signed code made: its statement bytes with the key slot (the ' +
          'low three bits of the tenth byte) cleared, base64url. Null: every signed code of the pass',
      ),
    revoked: z
      .boolean()
      .describe('false: off the list again (the pass was activated, or states this again)'),
    expiresAt: z
      .string()
      .nullable()
      .describe('When the codes it names expire anyway; null: never. Keep it until then'),
  })
  .meta({ id: 'Revocation' });
export type Revocation = z.infer<typeof Revocation>;

export const RevocationsAnswer = z
  .object({
    revocations: z.array(Revocation),
    cursor: z.string().describe('Send it back as `cursor` to get what changed since'),
    hasMore: z.boolean().describe('true: ask again at once with the new cursor'),
  })
  .meta({ id: 'RevocationsAnswer' });
export type RevocationsAnswer = z.infer<typeof RevocationsAnswer>;
