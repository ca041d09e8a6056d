import type { CustomField, PassFact, TemplateLayout } from '@passgate/shared';
import { html } from 'hono/html';
import type { Kysely } from 'kysely';
import type { Database, TemplateRow } from '../db/schema';

// The facts of the holder's card, in the order its template lays them out, and the template's
// look: colours, logo, strip and where to get help.

/** What the card may say of a pass. */
export interface CardPass {
  clientName: string | null;
  validFrom: string | null;
  validUntil: string | null;
  type: 'single' | 'multi';
  usagesCount: number;
  maxUsages: number | null;
  publicFields: readonly CustomField[];
  location: { name: string; address: string | null; timezone: string } | undefined;
}

/** The order of a card without a template: validity, place, uses, then the public fields. */
const PLAIN_ORDER: PassFact[] = ['validFrom', 'validUntil', 'location', 'usesLeft', 'publicFields'];

/** The facts a layout shows below the card's title (the name), front to back. */
export const factsInOrder = (layout: TemplateLayout | undefined): PassFact[] =>
  layout
    ? [...layout.primary, ...layout.secondary, ...layout.auxiliary, ...layout.back].filter(
        (fact) => fact !== 'name',
      )
    : PLAIN_ORDER;

type Formatter = (date: Date, zone?: string) => ReturnType<typeof html>;

/** One fact as the definition list shows it; nothing when the pass has no such fact. */
function fact(which: PassFact, pass: CardPass, formatDate: Formatter) {
  const zone = pass.location?.timezone;
  switch (which) {
    case 'validFrom':
      return pass.validFrom
        ? html`<dt>Valid from</dt><dd>${formatDate(new Date(pass.validFrom), zone)}</dd>`
        : '';
    case 'validUntil':
      return pass.validUntil
        ? html`<dt>Valid until</dt><dd>${formatDate(new Date(pass.validUntil), zone)}</dd>`
        : '';
    case 'location':
      return pass.location
        ? html`<dt>Where</dt><dd class="location">${pass.location.name}${pass.location.address ? html`<br>${pass.location.address}` : ''}</dd>`
        : '';
    case 'usesLeft':
      if (pass.type !== 'multi') return '';
      return pass.maxUsages === null
        ? html`<dt>Uses</dt><dd>${pass.usagesCount}</dd>`
        : html`<dt>Uses left</dt><dd>${Math.max(pass.maxUsages - pass.usagesCount, 0)} of ${pass.maxUsages}</dd>`;
    case 'clientName':
      return pass.clientName ? html`<dt>Holder</dt><dd>${pass.clientName}</dd>` : '';
    case 'publicFields':
      return pass.publicFields.map((field) => html`<dt>${field.key}</dt><dd>${field.value}</dd>`);
    case 'name':
      return '';
  }
}

/** The card's definition list: each fact the layout names, in its order. */
export const cardFacts = (
  pass: CardPass,
  template: TemplateRow | undefined,
  formatDate: Formatter,
) => html`<dl>${factsInOrder(template?.layout).map((which) => fact(which, pass, formatDate))}</dl>`;

/** The template's colours on the card (its values are `#rrggbb`, checked when stored). */
export const cardStyle = (template: TemplateRow | undefined) =>
  template
    ? `background:${template.background_color};color:${template.foreground_color};--label:${template.label_color}`
    : '';

const dataUrl = (png: Uint8Array) => `data:image/png;base64,${Buffer.from(png).toString('base64')}`;

/** The logo and strip, inline (the page is kept whole for a door with no signal). */
export const cardImages = (
  template: TemplateRow | undefined,
  images: { logo?: Uint8Array | undefined; strip?: Uint8Array | undefined },
) =>
  html`${images.logo ? html`<img class="logo" src="${dataUrl(images.logo)}" alt="${template?.organization_name ?? ''}">` : ''}${images.strip ? html`<img class="strip" src="${dataUrl(images.strip)}" alt="">` : ''}`;

/** Where the holder gets help, and the terms, as the template says. */
export function cardHelp(template: TemplateRow | undefined) {
  if (!template) return '';
  const links = [
    template.support_url ? html`<a href="${template.support_url}">Help</a>` : '',
    template.support_email
      ? html`<a href="mailto:${template.support_email}">${template.support_email}</a>`
      : '',
    template.support_phone
      ? html`<a href="tel:${template.support_phone.replace(/[^+\d]/g, '')}">${template.support_phone}</a>`
      : '',
    template.terms_url ? html`<a href="${template.terms_url}">Terms</a>` : '',
  ].filter((link) => link !== '');
  if (links.length === 0) return '';
  return html`<p class="help">${links.map((link, i) => html`${i ? ' · ' : ''}${link}`)}</p>`;
}

/** The bytes of the template's logo and strip, for `cardImages`. */
export async function cardImagesOf(db: Kysely<Database>, template: TemplateRow | undefined) {
  const ids = [template?.logo_image_id, template?.strip_image_id].filter(
    (id): id is string => typeof id === 'string',
  );
  if (ids.length === 0) return {};
  const rows = await db.selectFrom('images').select(['id', 'png']).where('id', 'in', ids).execute();
  const png = (id: string | null | undefined) => rows.find((row) => row.id === id)?.png;
  return { logo: png(template?.logo_image_id), strip: png(template?.strip_image_id) };
}
