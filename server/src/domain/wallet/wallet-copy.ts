import { PASS_CORE_FIELDS, type PassFact, type PassStatus } from '@passgate/shared';
import type { Kysely } from 'kysely';
import type { Database, PassRow, TemplateRow } from '../../db/schema';
import type { SigningKeys } from '../../services/signing-keys';
import { presentFields, signableOf } from '../passes/present';
import { templateOfPass } from '../templates';

// What a wallet copy of a pass shows, read once for Apple's `.pkpass` and Google's object alike:
// the pass as reported, its template and images, its holder's name and its location.

/** What a wallet copy shows of a pass. */
export interface WalletPass {
  id: string;
  code: string;
  name: string | null;
  type: 'single' | 'multi';
  /** As reported: `used` and `revoked` void the copy; `expired` follows `validUntil`. */
  status: PassStatus;
  usagesCount: number;
  maxUsages: number | null;
  validFrom: Date | null;
  validUntil: Date | null;
  clientName: string | null;
  publicFields: readonly { key: string; value: string }[];
  location: {
    name: string;
    address: string | null;
    latitude: number | null;
    longitude: number | null;
    timezone: string;
  } | null;
  publicToken: string;
  /** What the QR carries: the signed code, else the plain one. */
  qrText: string;
}

export interface WalletCopy {
  tenantId: string;
  pass: WalletPass;
  template: TemplateRow | undefined;
  images: {
    logo?: Uint8Array | undefined;
    icon?: Uint8Array | undefined;
    strip?: Uint8Array | undefined;
  };
  /** The template's organisation, else the tenant's name. */
  organizationName: string;
  /**
   * When what the copy shows last changed: the pass, its template, or an edit a fan-out carried
   * to the phones holding it (a location's).
   */
  lastModified: Date;
}

/** A pass's wallet copy as it stands. */
export async function walletCopyOf(
  db: Kysely<Database>,
  pass: PassRow,
  signingKeys: SigningKeys,
): Promise<WalletCopy> {
  const [template, tenant, client, location, reached, sign] = await Promise.all([
    templateOfPass(db, pass.tenant_id, pass.template_id),
    db
      .selectFrom('tenants')
      .select('name')
      .where('id', '=', pass.tenant_id)
      .executeTakeFirstOrThrow(),
    pass.client_id
      ? db
          .selectFrom('clients')
          .select('name')
          .where('tenant_id', '=', pass.tenant_id)
          .where('id', '=', pass.client_id)
          .executeTakeFirst()
      : undefined,
    pass.location_id
      ? db
          .selectFrom('locations')
          .select(['name', 'address', 'latitude', 'longitude', 'timezone'])
          .where('tenant_id', '=', pass.tenant_id)
          .where('id', '=', pass.location_id)
          .executeTakeFirst()
      : undefined,
    db
      .selectFrom('wallet_registrations')
      .select((eb) => eb.fn.max('changed_at').as('at'))
      .where('pass_id', '=', pass.id)
      .executeTakeFirst(),
    signingKeys.signer(db, pass.tenant_id),
  ]);
  const ids = [template?.logo_image_id, template?.icon_image_id, template?.strip_image_id].filter(
    (id): id is string => typeof id === 'string',
  );
  const rows = ids.length
    ? await db.selectFrom('images').select(['id', 'png']).where('id', 'in', ids).execute()
    : [];
  const png = (id: string | null | undefined) => rows.find((row) => row.id === id)?.png;
  const shown = presentFields(PASS_CORE_FIELDS, pass, { now: new Date() });
  return {
    tenantId: pass.tenant_id,
    pass: {
      id: pass.id,
      code: pass.code,
      name: pass.name,
      type: pass.type,
      status: shown.status,
      usagesCount: pass.usages_count,
      maxUsages: pass.max_usages,
      validFrom: pass.valid_from,
      validUntil: pass.valid_until,
      clientName: client?.name ?? null,
      publicFields: pass.fields.filter((field) => field.isPublic),
      location: location ?? null,
      publicToken: pass.public_token,
      qrText: sign(signableOf(pass)) ?? pass.code,
    },
    template,
    images: {
      logo: png(template?.logo_image_id),
      icon: png(template?.icon_image_id),
      strip: png(template?.strip_image_id),
    },
    organizationName: template?.organization_name ?? tenant.name,
    lastModified: new Date(
      Math.max(
        pass.updated_at.getTime(),
        template?.updated_at.getTime() ?? 0,
        reached?.at ? new Date(reached.at).getTime() : 0,
      ),
    ),
  };
}

export type Field = { key: string; label: string; value: string | number; [more: string]: unknown };

/** The fields one fact of a template's layout makes (none when the pass has no such fact). */
export function factFields(fact: PassFact, pass: WalletPass): Field[] {
  switch (fact) {
    case 'name':
      return [{ key: 'name', label: 'Name', value: pass.name ?? 'Pass' }];
    case 'clientName':
      return pass.clientName ? [{ key: 'holder', label: 'Holder', value: pass.clientName }] : [];
    case 'validFrom':
      return pass.validFrom ? [dateField('validFrom', 'Valid from', pass.validFrom)] : [];
    case 'validUntil':
      return pass.validUntil
        ? [
            {
              ...dateField('validUntil', 'Valid until', pass.validUntil),
              changeMessage: 'Now valid until %@',
            },
          ]
        : [];
    case 'usesLeft':
      if (pass.type !== 'multi') return [];
      return [
        pass.maxUsages === null
          ? { key: 'uses', label: 'Uses', value: pass.usagesCount }
          : {
              key: 'uses',
              label: 'Uses left',
              value: `${Math.max(pass.maxUsages - pass.usagesCount, 0)} of ${pass.maxUsages}`,
              changeMessage: '%@ uses left',
            },
      ];
    case 'location':
      return pass.location
        ? [
            {
              key: 'where',
              label: 'Where',
              value: pass.location.name,
              changeMessage: 'Now at %@',
            },
          ]
        : [];
    case 'publicFields':
      return pass.publicFields.map((field, i) => ({
        key: `field${i}`,
        label: field.key,
        value: field.value,
      }));
  }
}

const dateField = (key: string, label: string, at: Date): Field => ({
  key,
  label,
  value: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  dateStyle: 'PKDateStyleMedium',
  timeStyle: 'PKDateStyleShort',
});
