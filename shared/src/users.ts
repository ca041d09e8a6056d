import { z } from 'zod';

export const ROLES = ['admin', 'staff'] as const;
export type Role = (typeof ROLES)[number];
export const MIN_PASSWORD_LENGTH = 12;

const email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ error: 'email: expected an email address such as ana@example.com' }));

/** Spaces inside a passphrase count; spaces around it do not, so twelve spaces are no password. */
const password = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `password: at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(256, 'password: at most 256 characters')
  .refine((value) => value.trim().length >= MIN_PASSWORD_LENGTH, {
    error: `password: at least ${MIN_PASSWORD_LENGTH} characters, not counting spaces at either end`,
  });

export const User = z
  .object({
    id: z.string().describe('usr_…'),
    email: z.string(),
    name: z.string().nullable(),
    role: z.enum(ROLES).describe('admin: everything; staff: passes, clients, scans and doors'),
    createdAt: z.string(),
    lastSignInAt: z.string().nullable(),
    disabledAt: z.string().nullable(),
    invitePending: z.boolean().describe('Invited, and no password set yet'),
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof User>;

export const CreateUserBody = z
  .object({
    email,
    name: z.string().trim().max(200).optional(),
    role: z.enum(ROLES).default('staff'),
  })
  .meta({ id: 'CreateUser' });
export type CreateUserBody = z.input<typeof CreateUserBody>;

export const UpdateUserBody = z
  .object({
    name: z.string().trim().max(200).nullable().optional(),
    role: z.enum(ROLES).optional(),
    disabled: z
      .boolean()
      .optional()
      .describe('true ends all of the user’s sessions at once; false lets them sign in again'),
  })
  .meta({ id: 'UpdateUser' });
export type UpdateUserBody = z.infer<typeof UpdateUserBody>;

export const UserInvite = z
  .object({
    user: User,
    inviteUrl: z
      .string()
      .describe(
        'PUBLIC_URL/dashboard/#invite=TOKEN: where the person sets a password. Shown once.',
      ),
    expiresAt: z.string().describe('The link works once, until then (7 days)'),
    mailed: z
      .boolean()
      .describe(
        'Whether the link is also mailed to the person (the server has SMTP_URL); shown either way',
      ),
  })
  .meta({ id: 'UserInvite' });
export type UserInvite = z.infer<typeof UserInvite>;

export const PasswordLinkBody = z.object({ email }).meta({ id: 'PasswordLink' });
export type PasswordLinkBody = z.infer<typeof PasswordLinkBody>;

export const SignInBody = z
  .object({ email, password: z.string().min(1, 'password: must not be empty').max(256) })
  .meta({ id: 'SignIn' });
export type SignInBody = z.infer<typeof SignInBody>;

export const AcceptInviteBody = z
  .object({
    token: z.string().min(1, 'token: must not be empty').max(200),
    password,
    name: z.string().trim().max(200).optional(),
  })
  .meta({ id: 'AcceptInvite' });
export type AcceptInviteBody = z.infer<typeof AcceptInviteBody>;

export const SignedIn = z
  .object({
    user: User,
    tenant: z.object({ id: z.string(), name: z.string() }),
  })
  .meta({ id: 'SignedIn' });
export type SignedIn = z.infer<typeof SignedIn>;

export const ApiKeyInfo = z
  .object({
    id: z.string().describe('key_…'),
    prefix: z.string().describe('The first 12 characters of the key, to tell keys apart'),
    scope: z.enum(['full', 'scan']),
    rateLimit: z.number().int().describe('Requests a minute on /passes, /clients and /scan'),
    deviceId: z.string().nullable().describe('The door device whose credential it is, if any'),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });
export type ApiKeyInfo = z.infer<typeof ApiKeyInfo>;

export const CreateKeyBody = z
  .object({ scope: z.enum(['full', 'scan']).default('full') })
  .meta({ id: 'CreateKey' });
export type CreateKeyBody = z.input<typeof CreateKeyBody>;

export const CreatedKey = z
  .object({
    apiKey: z.string().describe('2pk_… Shown once: only its hash is kept.'),
    key: ApiKeyInfo,
  })
  .meta({ id: 'CreatedKey' });
export type CreatedKey = z.infer<typeof CreatedKey>;

export const Account = z
  .object({
    tenant: z.object({ id: z.string(), name: z.string(), plan: z.enum(['free', 'basic', 'pro']) }),
    passes: z.object({
      count: z.number().int(),
      limit: z.number().int().nullable().describe('The plan’s pass limit; null for none'),
    }),
    webhooks: z.object({ count: z.number().int(), quota: z.number().int() }),
    rateLimits: z
      .object({
        core: z.number().int().describe('A key’s default on /passes, /clients and /scan'),
        webhooks: z.number().int().describe('On /webhooks and /triggers'),
        user: z.number().int().describe('Each signed-in user’s, on /passes, /clients and /scan'),
      })
      .describe('Requests a minute'),
  })
  .meta({ id: 'Account' });
export type Account = z.infer<typeof Account>;
