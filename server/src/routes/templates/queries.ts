import {
  type CreateTemplateBody,
  DEFAULT_COLOURS,
  DEFAULT_LAYOUT,
  TEMPLATE_IMAGE_KINDS,
  type TemplateImage,
  type UpdateTemplateBody,
} from '@passgate/shared';
import type { Kysely, Transaction } from 'kysely';
import type { Database, TemplateRow } from '../../db/schema';
import { newId } from '../../domain/ids';
import { bytesOfBase64, fitImage, keepImage } from '../../domain/images';
import { assertInUse } from '../../domain/in-use';
import { paginate } from '../support';

const imageColumn = (kind: TemplateImage) => `${kind}_image_id` as const;

/**
 * The images a body sends, fitted and kept, as the columns naming them: base64 text, or bytes
 * (a multipart or `image/png` upload); `null` takes one away.
 */
async function imagesOf(
  trx: Transaction<Database>,
  sent: Partial<Record<TemplateImage, string | Buffer | null>>,
) {
  const columns: Partial<Record<ReturnType<typeof imageColumn>, string | null>> = {};
  for (const kind of TEMPLATE_IMAGE_KINDS) {
    const value = sent[kind];
    if (value === undefined) continue;
    if (value === null) {
      columns[imageColumn(kind)] = null;
      continue;
    }
    const bytes = typeof value === 'string' ? bytesOfBase64(kind, value) : value;
    columns[imageColumn(kind)] = await keepImage(trx, await fitImage(kind, bytes));
  }
  return columns;
}

/** Makes `id` the tenant's one default template: another that was is one no more. */
async function makeDefault(trx: Transaction<Database>, tenantId: string, id: string) {
  await trx
    .updateTable('templates')
    .set({ is_default: false })
    .where('tenant_id', '=', tenantId)
    .where('is_default', '=', true)
    .where('id', '<>', id)
    .execute();
}

export async function insertTemplate(
  trx: Transaction<Database>,
  tenant: { id: string; name: string },
  body: CreateTemplateBody,
  now = new Date(),
) {
  const images = await imagesOf(trx, body);
  const id = newId('tpl');
  if (body.isDefault) await makeDefault(trx, tenant.id, id);
  return trx
    .insertInto('templates')
    .values({
      tenant_id: tenant.id,
      id,
      name: body.name,
      organization_name: body.organizationName || tenant.name,
      description: body.description || body.name,
      background_color: body.backgroundColor ?? DEFAULT_COLOURS.backgroundColor,
      foreground_color: body.foregroundColor ?? DEFAULT_COLOURS.foregroundColor,
      label_color: body.labelColor ?? DEFAULT_COLOURS.labelColor,
      layout: JSON.stringify(body.layout ?? DEFAULT_LAYOUT),
      logo_image_id: images.logo_image_id ?? null,
      icon_image_id: images.icon_image_id ?? null,
      strip_image_id: images.strip_image_id ?? null,
      support_url: body.supportUrl ?? null,
      support_email: body.supportEmail ?? null,
      support_phone: body.supportPhone || null,
      terms_url: body.termsUrl ?? null,
      is_default: body.isDefault ?? false,
      created_at: now,
      updated_at: now,
      archived_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A template of the tenant, locked for the rest of the transaction when `db` is one. */
export function findTemplate(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
): Promise<TemplateRow | undefined> {
  return db
    .selectFrom('templates')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export function listTemplates(
  db: Kysely<Database>,
  tenantId: string,
  query: { archived?: boolean | undefined; page: number; limit: number },
) {
  let filtered = db.selectFrom('templates').where('tenant_id', '=', tenantId);
  if (query.archived !== undefined) {
    filtered = filtered.where('archived_at', query.archived ? 'is not' : 'is', null);
  }
  return paginate(
    db,
    filtered.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc'),
    query,
  );
}

/**
 * Changes what `changes` names (null clears the support details and images), archives (an
 * archived template is no default), or takes images uploaded on their own; undefined when there
 * is no such template.
 */
export async function updateTemplate(
  trx: Transaction<Database>,
  tenantId: string,
  id: string,
  changes: Omit<UpdateTemplateBody, TemplateImage> &
    Partial<Record<TemplateImage, string | Buffer | null>> & { archivedAt?: Date },
  now = new Date(),
) {
  const before = await findTemplate(trx, tenantId, id);
  if (!before) return undefined;
  const images = await imagesOf(trx, changes);
  const archiving = changes.archivedAt !== undefined && before.archived_at === null;
  const set: Record<string, unknown> = {
    ...Object.fromEntries(
      Object.entries({
        name: changes.name,
        organization_name: changes.organizationName || undefined,
        description: changes.description || undefined,
        background_color: changes.backgroundColor,
        foreground_color: changes.foregroundColor,
        label_color: changes.labelColor,
        support_url: changes.supportUrl,
        support_email: changes.supportEmail,
        support_phone: changes.supportPhone === '' ? null : changes.supportPhone,
        terms_url: changes.termsUrl,
        is_default: archiving ? false : changes.isDefault,
        archived_at: archiving ? changes.archivedAt : undefined,
        ...images,
      }).filter(
        ([key, value]) => value !== undefined && value !== before[key as keyof TemplateRow],
      ),
    ),
    ...(changes.layout && JSON.stringify(changes.layout) !== JSON.stringify(before.layout)
      ? { layout: JSON.stringify(changes.layout) }
      : {}),
  };
  if (Object.keys(set).length === 0) return before;
  if (set.is_default === true) {
    if (before.archived_at) await assertInUse(trx, tenantId, 'templates', [id], 'isDefault');
    await makeDefault(trx, tenantId, id);
  }
  return trx
    .updateTable('templates')
    .set({ ...set, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}
