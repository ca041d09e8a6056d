import type { Kysely } from 'kysely';
import type { Database, TemplateRow } from '../db/schema';

/** The template a pass wears: its own, else the tenant's default; undefined for neither. */
export function templateOfPass(
  db: Kysely<Database>,
  tenantId: string,
  templateId: string | null,
): Promise<TemplateRow | undefined> {
  const query = db.selectFrom('templates').selectAll().where('tenant_id', '=', tenantId);
  return (
    templateId === null ? query.where('is_default', '=', true) : query.where('id', '=', templateId)
  ).executeTakeFirst();
}
