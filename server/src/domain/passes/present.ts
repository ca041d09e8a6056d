import {
  CREATED_PASS_FIELDS,
  PASS_CORE_FIELDS,
  PASS_LIST_ITEM_FIELDS,
  type Pass,
  type PassFieldSet,
  type PassListItem,
  type PassStatus,
  type PresentedFields,
} from '@passgate/shared';
import { reportedStatus, type ScannablePass, type SignablePass } from '@passgate/shared/core';
import type { PassRow } from '../../db/schema';
import type { NewEvent } from '../../events';

export interface PassWithClient extends PassRow {
  client_name: string | null;
  client_email: string | null;
  client_phone: string | null;
}

/** The columns of a pass's row that the scan rule reads. */
export type RuleColumns = Pick<
  PassRow,
  'type' | 'status' | 'usages_count' | 'max_usages' | 'valid_from' | 'valid_until' | 'location_id'
>;

/** The scan rule's view of a pass's row. */
export const scannableOf = (row: RuleColumns): ScannablePass => ({
  type: row.type,
  status: row.status,
  usagesCount: row.usages_count,
  maxUsages: row.max_usages,
  validFrom: row.valid_from,
  validUntil: row.valid_until,
  locationId: row.location_id,
});

/** The row's rule columns for a pass as the scan rule sees it: `scannableOf` reversed. */
export const ruleColumnsOf = (pass: ScannablePass): RuleColumns => ({
  type: pass.type,
  status: pass.status,
  usages_count: pass.usagesCount,
  max_usages: pass.maxUsages,
  valid_from: pass.validFrom,
  valid_until: pass.validUntil,
  location_id: pass.locationId,
});

export const publicPassUrl = (publicUrl: string, pass: Pick<PassRow, 'code' | 'public_token'>) =>
  `${publicUrl}/p/${pass.code}?token=${pass.public_token}`;

/** What a presenter reads a pass from: its row, with its client's name and email. */
type PresentableRow = RuleColumns &
  Partial<Omit<PassWithClient, keyof RuleColumns>> &
  Pick<PassRow, 'id' | 'code'>;

/**
 * A set of the pass's fields (`@passgate/shared`'s pass-fields) read from its row at `now`: the
 * TypeScript twin of `fieldsSql`. `publicUrl` is the base of the holder's link.
 */
export function presentFields<S extends PassFieldSet>(
  fields: S,
  row: PresentableRow,
  at: { now: Date; publicUrl?: string },
): PresentedFields<S> {
  const columns = row as unknown as Record<string, unknown>;
  const presented: Record<string, unknown> = {};
  for (const [key, { column, read }] of Object.entries(fields)) {
    const value = columns[column];
    switch (read) {
      case 'value':
        presented[key] = value;
        break;
      case 'instant':
        presented[key] = value instanceof Date ? value.toISOString() : null;
        break;
      case 'reportedStatus':
        presented[key] = reportedStatus(scannableOf(row), at.now);
        break;
      case 'publicUrl':
        presented[key] = publicPassUrl(at.publicUrl ?? '', row as PassRow);
        break;
      case 'client':
        presented[key] =
          row.client_name == null
            ? null
            : { name: row.client_name, email: row.client_email ?? null };
        break;
    }
  }
  return presented as PresentedFields<S>;
}

/** The fields every answer about a pass starts with (the scan answer's too). */
export const passCore = (row: PresentableRow, now: Date) =>
  presentFields(PASS_CORE_FIELDS, row, { now });

export const presentPassListItem = (
  row: PassWithClient,
  publicUrl: string,
  now: Date,
): PassListItem => presentFields(PASS_LIST_ITEM_FIELDS, row, { now, publicUrl });

export const presentCreatedPass = (row: PassRow, publicUrl: string, now: Date) =>
  presentFields(CREATED_PASS_FIELDS, row, { now, publicUrl });

/** What a pass's signed code states, read from its row. */
export const signableOf = (
  row: Pick<PassRow, 'code' | 'type' | 'max_usages' | 'valid_from' | 'valid_until' | 'location_id'>,
): SignablePass => ({
  code: row.code,
  type: row.type,
  maxUsages: row.max_usages,
  validFrom: row.valid_from,
  validUntil: row.valid_until,
  locationId: row.location_id,
});

export function presentPass(
  row: PassWithClient,
  publicUrl: string,
  now: Date,
  signedCode: string | null,
): Pass {
  return {
    ...passCore(row, now),
    note: row.note,
    fields: row.fields,
    client:
      row.client_id === null || row.client_name === null
        ? null
        : {
            id: row.client_id,
            name: row.client_name,
            email: row.client_email,
            phone: row.client_phone,
          },
    templateId: row.template_id,
    locationId: row.location_id,
    publicUrl: publicPassUrl(publicUrl, row),
    signedCode,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export const presentPassStatus = (row: PassRow, now: Date) => ({
  id: row.id,
  code: row.code,
  name: row.name,
  status: reportedStatus(scannableOf(row), now),
});

/** The `pass.created` event and trigger item: the list item plus the client's contact fields. */
export function passCreatedEvent(row: PassWithClient, publicUrl: string, now: Date): NewEvent {
  return {
    type: 'pass.created',
    subjectId: row.id,
    data: {
      ...presentPassListItem(row, publicUrl, now),
      clientName: row.client_name,
      clientEmail: row.client_email,
      clientPhone: row.client_phone,
    },
  };
}

/** A `pass.status_changed` event when a change moved the reported status, else none. */
export function statusChangeEvents(
  before: PassWithClient,
  after: PassWithClient,
  publicUrl: string,
  now: Date,
): NewEvent[] {
  const from: PassStatus = reportedStatus(scannableOf(before), now);
  const to: PassStatus = reportedStatus(scannableOf(after), now);
  if (from === to) return [];
  return [
    {
      type: 'pass.status_changed',
      subjectId: after.id,
      data: {
        ...presentPassListItem(after, publicUrl, now),
        from,
        to,
        changedAt: now.toISOString(),
      },
    },
  ];
}
