import type { Template } from '@passgate/shared';
import type { TemplateRow } from '../../db/schema';
import { imageUrl } from '../../domain/images';
import { toIso } from '../support';

export function presentTemplate(row: TemplateRow, publicUrl: string): Template {
  return {
    id: row.id,
    name: row.name,
    organizationName: row.organization_name,
    description: row.description,
    backgroundColor: row.background_color,
    foregroundColor: row.foreground_color,
    labelColor: row.label_color,
    layout: row.layout,
    logoUrl: imageUrl(publicUrl, row.logo_image_id),
    iconUrl: imageUrl(publicUrl, row.icon_image_id),
    stripUrl: imageUrl(publicUrl, row.strip_image_id),
    supportUrl: row.support_url,
    supportEmail: row.support_email,
    supportPhone: row.support_phone,
    termsUrl: row.terms_url,
    isDefault: row.is_default,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    archivedAt: toIso(row.archived_at),
  };
}
