import type { Pass, PassListItem, PassStatus } from '@passgate/shared';
import { reportedStatus, type ScannablePass } from '@passgate/shared/core';
import type { PassRow } from '../../db/schema';
import type { NewEvent } from '../../events';
import { toIso } from '../support';

export interface PassWithClient extends PassRow {
  client_name: string | null;
  client_email: string | null;
  client_phone: string | null;
}

export const publicPassUrl = (publicUrl: string, pass: Pick<PassRow, 'code' | 'public_token'>) =>
  `${publicUrl}/p/${pass.code}?token=${pass.public_token}`;

/** The fields every answer about a pass starts with (the scan answer's too). */
export function passCore(
  row: Pick<PassRow, 'id' | 'code' | 'name' | 'valid_from'> & ScannablePass,
  now: Date,
) {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    type: row.type,
    status: reportedStatus(row, now),
    usagesCount: row.usages_count,
    maxUsages: row.max_usages,
    validFrom: toIso(row.valid_from),
    validUntil: toIso(row.valid_until),
  };
}

export function presentPassListItem(
  row: PassWithClient,
  publicUrl: string,
  now: Date,
): PassListItem {
  return {
    ...passCore(row, now),
    client: row.client_name === null ? null : { name: row.client_name, email: row.client_email },
    publicUrl: publicPassUrl(publicUrl, row),
    createdAt: row.created_at.toISOString(),
  };
}

export function presentCreatedPass(row: PassRow, publicUrl: string, now: Date) {
  return {
    ...passCore(row, now),
    publicUrl: publicPassUrl(publicUrl, row),
    createdAt: row.created_at.toISOString(),
  };
}

export function presentPass(row: PassWithClient, publicUrl: string, now: Date): Pass {
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
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export const presentPassStatus = (row: PassRow, now: Date) => ({
  id: row.id,
  code: row.code,
  name: row.name,
  status: reportedStatus(row, now),
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
  const from: PassStatus = reportedStatus(before, now);
  const to: PassStatus = reportedStatus(after, now);
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
