import { z } from 'zod';
import { PASS_STATUSES, PASS_TYPES, STORED_PASS_STATUSES } from './core';

// The pass as every answer, event, door and export shows it, field by field: the name it goes by,
// the column of the pass's row it comes from (the passes table joined with its client's name and
// email as `client_name` and `client_email`), how it is read from there, and its schema. The zod
// schemas below, the server's presenters in TypeScript and in SQL (`server/src/domain/passes/`),
// the door's sync and the CSV export are all made from these sets; a property test holds the
// TypeScript and SQL readings together.

/**
 * How a field is read from the row: as it is; an instant as ISO 8601 (`toISOString()`); the
 * status as reported at the moment of the answer (`reportedStatus`); the holder's page link; the
 * client's name and email, or null without a client.
 */
export type PassFieldRead = 'value' | 'instant' | 'reportedStatus' | 'publicUrl' | 'client';

/** A column of a pass's row, as the presenters read it. */
export type PassColumn =
  | 'id'
  | 'code'
  | 'name'
  | 'note'
  | 'type'
  | 'status'
  | 'usages_count'
  | 'max_usages'
  | 'valid_from'
  | 'valid_until'
  | 'last_admitted_at'
  | 'location_id'
  | 'client_name'
  | 'client_email'
  | 'public_token'
  | 'created_at';

export interface PassField<S extends z.ZodType = z.ZodType> {
  column: PassColumn;
  read: PassFieldRead;
  schema: S;
}

const field = <S extends z.ZodType>(column: PassColumn, read: PassFieldRead, schema: S) => ({
  column,
  read,
  schema,
});

/** Every field a presented pass may have. */
export const PASS_FIELDS = {
  id: field('id', 'value', z.string()),
  /** The pass's id, named so beside a scan's own id. */
  passId: field('id', 'value', z.string()),
  code: field('code', 'value', z.string()),
  name: field('name', 'value', z.string().nullable()),
  note: field('note', 'value', z.string().nullable()),
  type: field('type', 'value', z.enum(PASS_TYPES)),
  status: field('status', 'reportedStatus', z.enum(PASS_STATUSES)),
  usagesCount: field('usages_count', 'value', z.number().int()),
  maxUsages: field('max_usages', 'value', z.number().int().nullable()),
  validFrom: field('valid_from', 'instant', z.string().nullable()),
  validUntil: field('valid_until', 'instant', z.string().nullable()),
  lastAdmittedAt: field(
    'last_admitted_at',
    'instant',
    z.string().nullable().describe('When the pass was last admitted'),
  ),
  clientName: field(
    'client_name',
    'value',
    z.string().nullable().describe('Name of the attached client (the holder), if any'),
  ),
  clientEmail: field('client_email', 'value', z.string().nullable()),
  locationId: field(
    'location_id',
    'value',
    z.string().nullable().describe('The location the pass is good at; null: every location'),
  ),
  client: field(
    'client_name',
    'client',
    z.object({ name: z.string(), email: z.string().nullable() }).nullable(),
  ),
  publicUrl: field('public_token', 'publicUrl', z.string()),
  createdAt: field('created_at', 'instant', z.string()),
};
type AllFields = typeof PASS_FIELDS;

/** A set of fields, in the order an answer gives them. */
export type PassFieldSet = Record<string, PassField>;

const pick = <K extends keyof AllFields>(...keys: K[]) =>
  Object.fromEntries(keys.map((key) => [key, PASS_FIELDS[key]])) as Pick<AllFields, K>;

/** The fields every answer about a pass starts with. */
export const PASS_CORE_FIELDS = pick(
  'id',
  'code',
  'name',
  'type',
  'status',
  'usagesCount',
  'maxUsages',
  'validFrom',
  'validUntil',
);

/** A pass in a list, in `pass.created` and `pass.status_changed`. */
export const PASS_LIST_ITEM_FIELDS = {
  ...PASS_CORE_FIELDS,
  ...pick('client', 'publicUrl', 'createdAt'),
};

/** A pass just created. */
export const CREATED_PASS_FIELDS = { ...PASS_CORE_FIELDS, ...pick('publicUrl', 'createdAt') };

/** The pass in a scan's answer: what the door shows. */
export const SCANNED_PASS_FIELDS = {
  ...PASS_CORE_FIELDS,
  ...pick('clientName', 'lastAdmittedAt', 'locationId'),
};

/** The pass in a scan's event (`ScanRecord`), beside the scan's own fields. */
export const SCAN_RECORD_PASS_FIELDS = pick(
  'passId',
  'code',
  'name',
  'type',
  'status',
  'usagesCount',
  'maxUsages',
  'clientName',
);

/**
 * What a door keeps of a pass (`SyncPass`): what deciding and greeting need, no contact details.
 * Its status is the stored one; the door works out `expired` from `validUntil` itself.
 */
export const DOOR_PASS_FIELDS = {
  ...pick('code', 'type'),
  status: field(
    'status',
    'value',
    z.enum(STORED_PASS_STATUSES).describe('As stored: `expired` follows from validUntil'),
  ),
  ...pick(
    'validFrom',
    'validUntil',
    'maxUsages',
    'usagesCount',
    'lastAdmittedAt',
    'name',
    'clientName',
    'locationId',
  ),
};

/**
 * The columns of a CSV export, in order, before the custom fields' (`field:NAME`, `public:NAME`).
 * An import reads every one of them back but the server's own: `code` and `publicUrl`.
 */
export const EXPORT_FIELDS = pick(
  'code',
  'type',
  'status',
  'name',
  'note',
  'clientName',
  'clientEmail',
  'usagesCount',
  'maxUsages',
  'validFrom',
  'validUntil',
  'createdAt',
  'publicUrl',
);

/** The zod shape of a set of fields, for `z.object`. */
export const shapeOf = <S extends PassFieldSet>(fields: S) =>
  Object.fromEntries(Object.entries(fields).map(([key, { schema }]) => [key, schema])) as {
    [K in keyof S]: S[K]['schema'];
  };

/** A set's fields as the answer gives them. */
export type PresentedFields<S extends PassFieldSet> = { [K in keyof S]: z.output<S[K]['schema']> };
