import { z } from 'zod';
import { PASS_STATUSES, PASS_TYPES } from './core';
import { IsoDate } from './dates';
import {
  CREATED_PASS_FIELDS,
  PASS_CORE_FIELDS,
  PASS_LIST_ITEM_FIELDS,
  shapeOf,
} from './pass-fields';

export const CustomField = z
  .object({
    key: z.string().trim().min(1).max(100),
    value: z.string().max(2000),
    isPublic: z.boolean().describe("Shown on the holder's page"),
  })
  .meta({ id: 'CustomField' });
export type CustomField = z.infer<typeof CustomField>;

/**
 * A custom field as a request gives it: `isPublic` may be left out (false). A schema of its own,
 * so that the OpenAPI document says so, where a default would read as required.
 */
export const CustomFieldInput = CustomField.extend({
  isPublic: z.boolean().optional().describe("Shown on the holder's page; false when left out"),
}).meta({ id: 'CustomFieldInput' });
export type CustomFieldInput = z.infer<typeof CustomFieldInput>;

/** Fields as stored and answered: each says whether it is public. */
export const storedFields = (fields: readonly CustomFieldInput[]): CustomField[] =>
  fields.map((field) => ({ ...field, isPublic: field.isPublic ?? false }));

const maxUsages = z
  .number({ error: 'maxUsages must be a whole number or null' })
  .int('maxUsages must be a whole number')
  .min(1, 'maxUsages must be at least 1')
  .max(1_000_000_000, 'maxUsages must be at most 1000000000');

/**
 * `fields`, as answers name the custom fields, sent where requests name them `customFields`: a
 * 400 that says so, rather than the fields silently left out.
 */
const misnamedFields = z
  .unknown()
  .refine((value) => value === undefined, {
    error: 'send custom fields as customFields (answers call them fields)',
  })
  .optional()
  .describe('Not accepted: custom fields go in `customFields`');

const validFrom = IsoDate.describe(
  'First moment the pass admits (inclusive); a plain date is the start of that day, UTC',
);
const validUntil = IsoDate.describe(
  'Last moment the pass admits (inclusive); a plain date is the end of that day, UTC',
);

export const CreatePassBody = z
  .object({
    type: z.enum(PASS_TYPES, { error: 'type must be "single" or "multi"' }),
    name: z.string().max(200).optional(),
    note: z.string().max(5000).optional(),
    clientName: z.string().trim().min(1).max(200).optional(),
    maxUsages: maxUsages.nullable().optional(),
    validFrom: validFrom.nullable().optional(),
    validUntil: validUntil.nullable().optional(),
    customFields: z.array(CustomFieldInput).max(50).optional(),
    fields: misnamedFields,
    templateId: z.string().max(100).optional(),
    locationId: z
      .string()
      .max(100)
      .nullable()
      .optional()
      .describe(
        'The location (of this tenant) the pass is good at; null or left out: every location',
      ),
  })
  .meta({ id: 'CreatePass' });
export type CreatePassBody = z.infer<typeof CreatePassBody>;
/** What a caller may send (defaults not yet applied). */
export type CreatePassInput = z.input<typeof CreatePassBody>;

export const UpdatePassBody = z
  .object({
    name: z.string().max(200).nullable().optional(),
    note: z.string().max(5000).nullable().optional(),
    status: z
      .enum(['active', 'revoked'], { error: 'status must be "active" or "revoked"' })
      .optional(),
    maxUsages: maxUsages.nullable().optional(),
    validFrom: validFrom.nullable().optional(),
    validUntil: validUntil.nullable().optional(),
    customFields: z.array(CustomFieldInput).max(50).optional(),
    fields: misnamedFields,
    locationId: z
      .string()
      .max(100)
      .nullable()
      .optional()
      .describe('Move the pass to this location (of this tenant, not archived); null: every one'),
    templateId: z
      .string()
      .max(100)
      .nullable()
      .optional()
      .describe(
        "Dress it in this template (of this tenant, not archived); null: the tenant's default",
      ),
  })
  .meta({ id: 'UpdatePass' });
export type UpdatePassBody = z.infer<typeof UpdatePassBody>;
export type UpdatePassInput = z.input<typeof UpdatePassBody>;

/** The fields every answer about a pass starts with. */
export const passCore = shapeOf(PASS_CORE_FIELDS);

export const PassListItem = z.object(shapeOf(PASS_LIST_ITEM_FIELDS)).meta({ id: 'PassListItem' });
export type PassListItem = z.infer<typeof PassListItem>;

/** A pass's signed code: what its QR carries, for a door that has not seen the pass. */
const signedCode = z
  .string()
  .nullable()
  .describe(
    "The code signed by the tenant's key (`PG1.…`), which the QR carries: a door checks it " +
      'without a list. Null where the server signs no codes',
  );

/** The contract's answer to a create, exactly: `GET /passes/{id}` carries the signed code. */
export const CreatedPass = z.object(shapeOf(CREATED_PASS_FIELDS)).meta({ id: 'CreatedPass' });
export type CreatedPass = z.infer<typeof CreatedPass>;

export const Pass = z
  .object({
    ...passCore,
    note: z.string().nullable(),
    fields: z.array(CustomField),
    client: z
      .object({
        id: z.string(),
        name: z.string(),
        email: z.string().nullable(),
        phone: z.string().nullable(),
      })
      .nullable(),
    templateId: z.string().nullable(),
    locationId: z.string().nullable(),
    publicUrl: z.string(),
    signedCode,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Pass' });
export type Pass = z.infer<typeof Pass>;

export const PassStatusAnswer = z
  .object({
    id: z.string(),
    code: z.string(),
    name: z.string().nullable(),
    status: z.enum(PASS_STATUSES),
  })
  .meta({ id: 'PassStatus' });
export type PassStatusAnswer = z.infer<typeof PassStatusAnswer>;

/** The wallets that hold a pass: the install count the dashboard shows. */
export const PassWallets = z
  .object({
    apple: z.object({
      configured: z.boolean().describe('Apple Wallet is configured on this server'),
      phones: z.number().int().min(0).describe('Phones registered for this pass'),
    }),
    google: z.object({
      configured: z.boolean().describe('Google Wallet is configured on this server'),
      saved: z.boolean().describe("The holder followed the pass's Google Wallet save link"),
    }),
  })
  .meta({ id: 'PassWallets' });
export type PassWallets = z.infer<typeof PassWallets>;
