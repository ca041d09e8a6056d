import {
  DEFAULT_COLOURS,
  DEFAULT_LAYOUT,
  PASS_CORE_FIELDS,
  type PassFact,
  type PassStatus,
  type TemplateLayout,
} from '@passgate/shared';
import type { Kysely } from 'kysely';
import { PKPass } from 'passkit-generator';
import sharp from 'sharp';
import type { Database, PassRow, TemplateRow } from '../../db/schema';
import type { AppleWallet } from '../../services/apple-wallet';
import { walletToken } from '../../services/apple-wallet';
import { scaledImage } from '../images';
import { presentFields } from '../passes/present';
import { templateOfPass } from '../templates';

// A pass as Apple Wallet keeps it: `pass.json` (the template's look and layout, the QR the page
// shows, validity, status, place), its images at 1x, 2x and 3x, and the signed manifest, which
// passkit-generator writes (the manifest's SHA-1s and the detached PKCS#7 signature with the
// WWDR intermediate and the signing time).

/** What the Wallet copy shows of a pass. */
export interface WalletPass {
  id: string;
  code: string;
  name: string | null;
  type: 'single' | 'multi';
  /** As reported: `used` and `revoked` void the Wallet copy; `expired` follows `validUntil`. */
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
  } | null;
  publicToken: string;
}

const rgb = (hex: string) =>
  `rgb(${[1, 3, 5].map((at) => Number.parseInt(hex.slice(at, at + 2), 16)).join(', ')})`;

type Field = { key: string; label: string; value: string | number; [more: string]: unknown };

/** The fields one fact makes (none when the pass has no such fact). */
function fieldsOf(fact: PassFact, pass: WalletPass): Field[] {
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

/** `pass.json` as a pass and its template make it. */
export function passJson(
  wallet: AppleWallet,
  pass: WalletPass,
  template: TemplateRow | undefined,
  publicUrl: string,
  organizationName: string,
) {
  const layout: TemplateLayout = template?.layout ?? DEFAULT_LAYOUT;
  const row = (facts: readonly PassFact[]) => facts.flatMap((fact) => fieldsOf(fact, pass));
  const status: Field = {
    key: 'status',
    label: 'Status',
    value: pass.status,
    changeMessage: 'Your pass is now %@',
  };
  const voided = pass.status === 'used' || pass.status === 'revoked';
  const { latitude, longitude } = pass.location ?? {};
  return {
    formatVersion: 1,
    passTypeIdentifier: wallet.passTypeId,
    teamIdentifier: wallet.teamId,
    serialNumber: pass.id,
    organizationName: template?.organization_name ?? organizationName,
    description: template?.description ?? pass.name ?? 'Pass',
    logoText: template?.organization_name ?? organizationName,
    backgroundColor: rgb(template?.background_color ?? DEFAULT_COLOURS.backgroundColor),
    foregroundColor: rgb(template?.foreground_color ?? DEFAULT_COLOURS.foregroundColor),
    labelColor: rgb(template?.label_color ?? DEFAULT_COLOURS.labelColor),
    webServiceURL: `${publicUrl}/wallet/apple`,
    authenticationToken: walletToken(pass.publicToken),
    barcodes: [
      {
        format: 'PKBarcodeFormatQR',
        message: pass.code,
        messageEncoding: 'iso-8859-1',
        altText: pass.code,
      },
    ],
    ...(pass.validUntil ? { expirationDate: pass.validUntil.toISOString() } : {}),
    ...(voided ? { voided: true } : {}),
    ...(latitude != null && longitude != null && pass.location
      ? {
          locations: [
            { latitude, longitude, relevantText: `${pass.location.name}: your pass is ready` },
          ],
        }
      : {}),
    eventTicket: {
      primaryFields: row(layout.primary),
      secondaryFields: row(layout.secondary),
      auxiliaryFields: row(layout.auxiliary),
      backFields: [
        ...row(layout.back),
        status,
        ...(template?.support_url
          ? [{ key: 'support', label: 'Help', value: template.support_url }]
          : []),
        ...(template?.support_email
          ? [{ key: 'supportEmail', label: 'Help by email', value: template.support_email }]
          : []),
        ...(template?.support_phone
          ? [{ key: 'supportPhone', label: 'Help by phone', value: template.support_phone }]
          : []),
        ...(template?.terms_url
          ? [{ key: 'terms', label: 'Terms', value: template.terms_url }]
          : []),
      ],
    },
  };
}

/** The images of the Wallet copy at 1x, 2x and 3x; a plain icon in the template's colour without one. */
async function imageFiles(
  template: TemplateRow | undefined,
  images: {
    logo?: Uint8Array | undefined;
    icon?: Uint8Array | undefined;
    strip?: Uint8Array | undefined;
  },
) {
  const icon =
    images.icon ??
    (await sharp({
      create: {
        width: 87,
        height: 87,
        channels: 4,
        background: template?.background_color ?? DEFAULT_COLOURS.foregroundColor,
      },
    })
      .png()
      .toBuffer());
  const files: Record<string, Buffer> = {};
  for (const [name, png] of Object.entries({ icon, logo: images.logo, strip: images.strip })) {
    if (!png) continue;
    files[`${name}.png`] = await scaledImage(png, 1);
    files[`${name}@2x.png`] = await scaledImage(png, 2);
    files[`${name}@3x.png`] = await scaledImage(png, 3);
  }
  return files;
}

/** The signed `.pkpass` of a pass. */
export async function buildPkpass(options: {
  wallet: AppleWallet;
  pass: WalletPass;
  template: TemplateRow | undefined;
  images: Parameters<typeof imageFiles>[1];
  publicUrl: string;
  organizationName: string;
}): Promise<Buffer> {
  const { wallet, pass, template, publicUrl, organizationName } = options;
  const json = passJson(wallet, pass, template, publicUrl, organizationName);
  const pkpass = new PKPass(
    {
      ...(await imageFiles(template, options.images)),
      'pass.json': Buffer.from(JSON.stringify(json)),
    },
    wallet.certificates,
  );
  return pkpass.getAsBuffer();
}

/**
 * The `.pkpass` of a pass as it stands, and when what it shows last changed (the pass or its
 * template): the Wallet web service's `Last-Modified` and update tag.
 */
export async function pkpassOfPass(
  db: Kysely<Database>,
  wallet: AppleWallet,
  pass: PassRow,
  publicUrl: string,
) {
  const [template, tenant, client, location] = await Promise.all([
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
          .select(['name', 'address', 'latitude', 'longitude'])
          .where('tenant_id', '=', pass.tenant_id)
          .where('id', '=', pass.location_id)
          .executeTakeFirst()
      : undefined,
  ]);
  const ids = [template?.logo_image_id, template?.icon_image_id, template?.strip_image_id].filter(
    (id): id is string => typeof id === 'string',
  );
  const rows = ids.length
    ? await db.selectFrom('images').select(['id', 'png']).where('id', 'in', ids).execute()
    : [];
  const png = (id: string | null | undefined) => rows.find((row) => row.id === id)?.png;
  const shown = presentFields(PASS_CORE_FIELDS, pass, { now: new Date() });
  const body = await buildPkpass({
    wallet,
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
    },
    template,
    images: {
      logo: png(template?.logo_image_id),
      icon: png(template?.icon_image_id),
      strip: png(template?.strip_image_id),
    },
    publicUrl,
    organizationName: tenant.name,
  });
  const lastModified = new Date(
    Math.max(pass.updated_at.getTime(), template?.updated_at.getTime() ?? 0),
  );
  return { body, lastModified };
}
