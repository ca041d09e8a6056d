import {
  DEFAULT_COLOURS,
  DEFAULT_LAYOUT,
  type PassFact,
  type TemplateLayout,
} from '@passgate/shared';
import type { Kysely } from 'kysely';
import { PKPass } from 'passkit-generator';
import sharp from 'sharp';
import type { Database, PassRow, TemplateRow } from '../../db/schema';
import type { AppleWallet } from '../../services/apple-wallet';
import { walletToken } from '../../services/apple-wallet';
import type { SigningKeys } from '../../services/signing-keys';
import { scaledImage } from '../images';
import { type Field, factFields, type WalletPass, walletCopyOf } from './wallet-copy';

// A pass as Apple Wallet keeps it: `pass.json` (the template's look and layout, the QR the page
// shows, validity, status, place), its images at 1x, 2x and 3x, and the signed manifest, which
// passkit-generator writes (the manifest's SHA-1s and the detached PKCS#7 signature with the
// WWDR intermediate and the signing time).

const rgb = (hex: string) =>
  `rgb(${[1, 3, 5].map((at) => Number.parseInt(hex.slice(at, at + 2), 16)).join(', ')})`;

/** `pass.json` as a pass and its template make it. */
export function passJson(
  wallet: AppleWallet,
  pass: WalletPass,
  template: TemplateRow | undefined,
  publicUrl: string,
  organizationName: string,
) {
  const layout: TemplateLayout = template?.layout ?? DEFAULT_LAYOUT;
  const row = (facts: readonly PassFact[]) => facts.flatMap((fact) => factFields(fact, pass));
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
    organizationName: organizationName,
    description: template?.description ?? pass.name ?? 'Pass',
    logoText: organizationName,
    backgroundColor: rgb(template?.background_color ?? DEFAULT_COLOURS.backgroundColor),
    foregroundColor: rgb(template?.foreground_color ?? DEFAULT_COLOURS.foregroundColor),
    labelColor: rgb(template?.label_color ?? DEFAULT_COLOURS.labelColor),
    webServiceURL: `${publicUrl}/wallet/apple`,
    authenticationToken: walletToken(pass.publicToken),
    barcodes: [
      {
        format: 'PKBarcodeFormatQR',
        message: pass.qrText,
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
 * The `.pkpass` of a pass as it stands, and when what it shows last changed: the Wallet web
 * service's `Last-Modified`.
 */
export async function pkpassOfPass(
  db: Kysely<Database>,
  wallet: AppleWallet,
  pass: PassRow,
  publicUrl: string,
  signingKeys: SigningKeys,
) {
  const copy = await walletCopyOf(db, pass, signingKeys);
  const body = await buildPkpass({ wallet, publicUrl, ...copy });
  return { body, lastModified: copy.lastModified };
}
