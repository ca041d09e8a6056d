import { DEFAULT_COLOURS, DEFAULT_LAYOUT, type PassStatus } from '@passgate/shared';
import type { GoogleWallet } from '../../services/google-wallet';
import { imageUrl } from '../images';
import { factFields, type WalletCopy } from './wallet-copy';

// A pass as Google Wallet keeps it: a generic object (`{issuerId}.{passId}`) in a class per
// template, carrying everything it shows (title, colours, logo, the QR the page shows, the
// template's facts as text modules, validity, links) and its state.

/** Google's ids: the issuer's number, a dot, then letters, digits, `.`, `_` or `-`. */
const idPart = (value: string) => value.replace(/[^\w.-]/g, '_');

export const googleObjectId = (issuerId: string, passId: string) => `${issuerId}.${idPart(passId)}`;

const googleClassId = (issuerId: string, copy: WalletCopy) =>
  `${issuerId}.${idPart(copy.template ? copy.template.id : `${copy.tenantId}_plain`)}`;

const STATES: Record<PassStatus, string> = {
  active: 'ACTIVE',
  revoked: 'INACTIVE',
  used: 'COMPLETED',
  expired: 'EXPIRED',
};

const text = (value: string) => ({ defaultValue: { language: 'en', value } });

/** The generic object of a pass as it stands. */
export function googleObject(issuerId: string, copy: WalletCopy, publicUrl: string) {
  const { pass, template } = copy;
  const layout = template?.layout ?? DEFAULT_LAYOUT;
  const zone = pass.location?.timezone ?? 'UTC';
  const when = new Intl.DateTimeFormat('en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: zone,
  });
  // The name is the header; every other fact of the layout, in order, is a text module.
  const modules = [...layout.primary, ...layout.secondary, ...layout.auxiliary, ...layout.back]
    .filter((fact) => fact !== 'name')
    .flatMap((fact) => factFields(fact, pass))
    .map((field) => ({
      id: field.key,
      header: field.label,
      body: field.dateStyle ? when.format(new Date(field.value)) : String(field.value),
    }));
  const logo = imageUrl(publicUrl, template?.logo_image_id ?? null);
  const strip = imageUrl(publicUrl, template?.strip_image_id ?? null);
  const links = [
    template?.support_url && { uri: template.support_url, description: 'Help' },
    template?.support_email && { uri: `mailto:${template.support_email}`, description: 'Email' },
    template?.support_phone && { uri: `tel:${template.support_phone}`, description: 'Phone' },
    template?.terms_url && { uri: template.terms_url, description: 'Terms' },
  ].filter((link): link is { uri: string; description: string } => Boolean(link));
  return {
    id: googleObjectId(issuerId, pass.id),
    classId: googleClassId(issuerId, copy),
    state: STATES[pass.status],
    cardTitle: text(copy.organizationName),
    header: text(pass.name ?? 'Pass'),
    ...(pass.clientName ? { subheader: text(pass.clientName) } : {}),
    hexBackgroundColor: template?.background_color ?? DEFAULT_COLOURS.backgroundColor,
    ...(logo ? { logo: { sourceUri: { uri: logo } } } : {}),
    ...(strip ? { heroImage: { sourceUri: { uri: strip } } } : {}),
    barcode: { type: 'QR_CODE', value: pass.qrText, alternateText: pass.code },
    textModulesData: modules,
    ...(pass.validFrom || pass.validUntil
      ? {
          validTimeInterval: {
            ...(pass.validFrom ? { start: { date: pass.validFrom.toISOString() } } : {}),
            ...(pass.validUntil ? { end: { date: pass.validUntil.toISOString() } } : {}),
          },
        }
      : {}),
    ...(links.length > 0 ? { linksModuleData: { uris: links } } : {}),
  };
}
export type GoogleObject = ReturnType<typeof googleObject>;

/** Class ids this process has seen exist (a class is never deleted). */
const knownClasses = new Set<string>();

export class GoogleError extends Error {
  constructor(
    readonly status: number,
    what: string,
  ) {
    super(`Google Wallet answered ${status} to ${what}`);
  }
}

async function ensureClass(google: GoogleWallet, classId: string) {
  if (knownClasses.has(classId)) return;
  const answer = await google.call('POST', '/genericClass', { id: classId });
  if (answer.status !== 200 && answer.status !== 409) {
    throw new GoogleError(answer.status, `inserting class ${classId}`);
  }
  knownClasses.add(classId);
}

/**
 * Brings the object at Google to the pass as it stands: PATCHed when it exists, inserted (with
 * its class) when it does not. Throws a GoogleError for any other answer.
 */
export async function putGoogleObject(google: GoogleWallet, object: GoogleObject) {
  const path = `/genericObject/${encodeURIComponent(object.id)}`;
  const patched = await google.call('PATCH', path, object);
  if (patched.status === 200) return;
  if (patched.status !== 404) throw new GoogleError(patched.status, `PATCH ${object.id}`);
  await ensureClass(google, object.classId);
  const inserted = await google.call('POST', '/genericObject', object);
  if (inserted.status === 200) return;
  // Inserted meanwhile by another instance: bring it up to date.
  if (inserted.status === 409) {
    const again = await google.call('PATCH', path, object);
    if (again.status === 200) return;
    throw new GoogleError(again.status, `PATCH ${object.id}`);
  }
  throw new GoogleError(inserted.status, `inserting ${object.id}`);
}
