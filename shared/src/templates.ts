import { z } from 'zod';

/** The facts of a pass a template may show, each at most once. */
export const PASS_FACTS = [
  'name',
  'clientName',
  'validFrom',
  'validUntil',
  'usesLeft',
  'location',
  'publicFields',
] as const;
export type PassFact = (typeof PASS_FACTS)[number];

/** The images of a template, and the sizes (in pixels) each is kept at: the wallets' @3x. */
export const TEMPLATE_IMAGES = {
  /** Shown top left on the card: fitted inside, its proportions kept. */
  logo: { width: 480, height: 150, fit: 'inside' },
  /** The notification and lock-screen icon: square, cropped to fill. */
  icon: { width: 87, height: 87, fit: 'cover' },
  /** The band behind the main fact: cropped to fill. */
  strip: { width: 1125, height: 369, fit: 'cover' },
} as const;
export type TemplateImage = keyof typeof TEMPLATE_IMAGES;
export const TEMPLATE_IMAGE_KINDS = Object.keys(TEMPLATE_IMAGES) as TemplateImage[];

/** An uploaded image's largest size, before it is fitted. */
export const MAX_IMAGE_BYTES = 512 * 1024;

const colour = (name: string) =>
  z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, `${name} must be a colour written #rrggbb`)
    .transform((value) => value.toLowerCase());

const facts = (name: string, max: number) =>
  z
    .array(z.enum(PASS_FACTS, { error: `${name}: each must be one of ${PASS_FACTS.join(', ')}` }))
    .max(max, `${name}: at most ${max}`);

/** Where each fact of the pass appears on the card: the wallets' rows, front to back. */
export const TemplateLayout = z
  .object({
    primary: facts('layout.primary', 1).describe('The big line: one fact'),
    secondary: facts('layout.secondary', 4),
    auxiliary: facts('layout.auxiliary', 4),
    back: facts('layout.back', PASS_FACTS.length).describe('On the back of the card'),
  })
  .refine(
    (layout) => {
      const all = [...layout.primary, ...layout.secondary, ...layout.auxiliary, ...layout.back];
      return new Set(all).size === all.length;
    },
    { error: 'layout: each fact may appear once', path: ['layout'] },
  )
  .meta({ id: 'TemplateLayout' });
export type TemplateLayout = z.infer<typeof TemplateLayout>;

/** The layout of a template that says none: the name big, then who and until when. */
export const DEFAULT_LAYOUT: TemplateLayout = {
  primary: ['name'],
  secondary: ['clientName', 'validUntil'],
  auxiliary: ['usesLeft', 'location'],
  back: ['validFrom', 'publicFields'],
};

const image = (kind: TemplateImage) =>
  z
    .string()
    .max(Math.ceil((MAX_IMAGE_BYTES * 4) / 3) + 100, 'at most 512 KB')
    .describe(
      `A PNG, base64 (or a data: URL), at most 512 KB; kept at ${TEMPLATE_IMAGES[kind].width}×${TEMPLATE_IMAGES[kind].height}`,
    );

const text = (max: number) => z.string().trim().max(max);
const url = (name: string) =>
  z
    .string()
    .max(2000)
    .refine((value) => /^https?:\/\/[^\s]+$/.test(value), `${name} must be an http(s) URL`);

const TEMPLATE_FIELDS = {
  organizationName: text(200).describe(
    "Who issues the pass, as wallets show it; the tenant's name when left out",
  ),
  description: text(500).describe('What the pass is, read out by screen readers'),
  backgroundColor: colour('backgroundColor'),
  foregroundColor: colour('foregroundColor'),
  labelColor: colour('labelColor'),
  layout: TemplateLayout,
  supportUrl: url('supportUrl'),
  supportEmail: z.email('supportEmail must be an email address').max(320),
  supportPhone: text(50),
  termsUrl: url('termsUrl'),
  isDefault: z
    .boolean()
    .describe("true: passes that name no template wear this one (the tenant's one default)"),
};

export const CreateTemplateBody = z
  .object({
    name: z.string().trim().min(1, 'name must not be empty').max(200),
    organizationName: TEMPLATE_FIELDS.organizationName.optional(),
    description: TEMPLATE_FIELDS.description.optional(),
    backgroundColor: TEMPLATE_FIELDS.backgroundColor.optional().describe('#ffffff when left out'),
    foregroundColor: TEMPLATE_FIELDS.foregroundColor.optional().describe('#18181b when left out'),
    labelColor: TEMPLATE_FIELDS.labelColor.optional().describe('#52525b when left out'),
    layout: TemplateLayout.optional().describe('DEFAULT_LAYOUT when left out'),
    supportUrl: TEMPLATE_FIELDS.supportUrl.optional(),
    supportEmail: TEMPLATE_FIELDS.supportEmail.optional(),
    supportPhone: TEMPLATE_FIELDS.supportPhone.optional(),
    termsUrl: TEMPLATE_FIELDS.termsUrl.optional(),
    isDefault: TEMPLATE_FIELDS.isDefault.optional(),
    logo: image('logo').optional(),
    icon: image('icon').optional(),
    strip: image('strip').optional(),
  })
  .meta({ id: 'CreateTemplate' });
export type CreateTemplateBody = z.infer<typeof CreateTemplateBody>;

/** A template's colours when it says none. */
export const DEFAULT_COLOURS = {
  backgroundColor: '#ffffff',
  foregroundColor: '#18181b',
  labelColor: '#52525b',
} as const;

export const UpdateTemplateBody = z
  .object({
    name: z.string().trim().min(1, 'name must not be empty').max(200).optional(),
    organizationName: TEMPLATE_FIELDS.organizationName.optional(),
    description: TEMPLATE_FIELDS.description.optional(),
    backgroundColor: TEMPLATE_FIELDS.backgroundColor.optional(),
    foregroundColor: TEMPLATE_FIELDS.foregroundColor.optional(),
    labelColor: TEMPLATE_FIELDS.labelColor.optional(),
    layout: TemplateLayout.optional(),
    supportUrl: TEMPLATE_FIELDS.supportUrl.nullable().optional(),
    supportEmail: TEMPLATE_FIELDS.supportEmail.nullable().optional(),
    supportPhone: TEMPLATE_FIELDS.supportPhone.nullable().optional(),
    termsUrl: TEMPLATE_FIELDS.termsUrl.nullable().optional(),
    isDefault: TEMPLATE_FIELDS.isDefault.optional(),
    logo: image('logo').nullable().optional(),
    icon: image('icon').nullable().optional(),
    strip: image('strip').nullable().optional(),
  })
  .meta({ id: 'UpdateTemplate' });
export type UpdateTemplateBody = z.infer<typeof UpdateTemplateBody>;

const imageUrl = (kind: TemplateImage) =>
  z
    .string()
    .nullable()
    .describe(`The ${kind} as kept (PNG), at a public address that never changes; null: none`);

export const Template = z
  .object({
    id: z.string().describe('tpl_…, or the value passes named it by before templates existed'),
    name: z.string(),
    organizationName: z.string(),
    description: z.string(),
    backgroundColor: z.string(),
    foregroundColor: z.string(),
    labelColor: z.string(),
    layout: TemplateLayout,
    logoUrl: imageUrl('logo'),
    iconUrl: imageUrl('icon'),
    stripUrl: imageUrl('strip'),
    supportUrl: z.string().nullable(),
    supportEmail: z.string().nullable(),
    supportPhone: z.string().nullable(),
    termsUrl: z.string().nullable(),
    isDefault: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
    archivedAt: z.string().nullable().describe('Archived: no pass may be given it any more'),
  })
  .meta({ id: 'Template' });
export type Template = z.infer<typeof Template>;
