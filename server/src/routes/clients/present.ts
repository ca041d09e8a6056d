import type { Client } from '@passgate/shared';
import type { ClientRow } from '../../db/schema';

export function presentClient(row: ClientRow): Client {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    phone: row.phone,
    notes: row.notes,
    createdAt: row.created_at.toISOString(),
  };
}
