import type { OpenAPIHono } from '@hono/zod-openapi';
import { IDEMPOTENCY_KEY_PATTERN } from '@passgate/shared';
import { type CallerKind, describeAccess } from './access';

/** The groups of operations, in the order `/docs` shows them. */
export const TAGS = [
  { name: 'Passes', description: 'Tickets, guest passes and memberships, one QR code each' },
  { name: 'Clients', description: 'The people passes are issued to' },
  { name: 'Locations', description: 'The places passes are good at and doors stand at' },
  { name: 'Templates', description: 'How passes look: on the holder’s page and in the wallets' },
  { name: 'Scan', description: 'Admitting passes at the door, and the scans made' },
  {
    name: 'Signed codes',
    description: 'The keys that sign pass codes, so an offline door can check a pass it never saw',
  },
  { name: 'Devices', description: 'Door phones, paired with a link or QR code' },
  { name: 'Keys', description: 'API keys, and who the caller is' },
  { name: 'Users', description: 'People who sign in to the dashboard, and their sessions' },
  { name: 'Webhooks', description: 'Signed POSTs to your URL when something happens' },
  { name: 'Triggers', description: "Zapier's polling triggers" },
] as const;
export type ApiTag = (typeof TAGS)[number]['name'];

type Document = ReturnType<OpenAPIHono['getOpenAPI31Document']>;
type Operation = {
  description?: string;
  parameters?: unknown[];
  responses?: Record<string, { headers?: object }>;
  'x-access'?: readonly CallerKind[];
};

const header = (description: string, type: 'integer' | 'string') => ({
  description,
  schema: { type },
});

/** The headers the middleware chain puts on answers, named once for every route to refer to. */
const HEADERS = {
  'X-RateLimit-Limit': header('Requests this key may make in the window', 'integer'),
  'X-RateLimit-Remaining': header('Requests left in the window', 'integer'),
  'X-RateLimit-Reset': header('When the window resets, in Unix epoch seconds', 'integer'),
  RateLimit: header(
    'IETF RateLimit fields: `"core";r=12;t=41` (remaining, seconds left)',
    'string',
  ),
  'RateLimit-Policy': header('IETF RateLimit-Policy: `"core";q=30;w=60`', 'string'),
  'Retry-After': header('Whole seconds to wait before trying again', 'integer'),
  'X-Total-Count': header('How many items match, over all pages', 'integer'),
  Link: header('RFC 8288 links to the first, prev, next and last pages', 'string'),
  'Idempotent-Replayed': header(
    '`true` when this is the stored answer to an earlier request with the same Idempotency-Key',
    'string',
  ),
};

const refs = (...names: (keyof typeof HEADERS)[]) =>
  Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));

const RATE_LIMIT = [
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'RateLimit',
  'RateLimit-Policy',
] as const;

/**
 * Adds to the document generated from the routes' schemas what the API's middleware does for
 * every route, so `/docs` shows it too: the `Idempotency-Key` header every POST takes, the rate
 * limit headers on every success and 429, `Retry-After` on 429, pagination headers on lists, and
 * `Idempotent-Replayed` on answers a POST can replay; and, in words, who may call each operation
 * (its `x-access`).
 */
export function withMiddlewareParts(document: Document): Document {
  const components = document.components ?? {};
  components.headers = { ...components.headers, ...HEADERS };
  components.parameters = {
    ...components.parameters,
    IdempotencyKey: {
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'Any unique value (a UUID): a repeat with the same key and body within 24 h answers the ' +
        'first answer again and changes nothing; the same key with another body is 422, and a ' +
        'repeat while the first still runs is 409.',
      schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN.source },
    },
  };
  document.components = components;
  document.tags = TAGS.map((tag) => ({ ...tag }));
  for (const item of Object.values(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(item as Record<string, Operation>)) {
      const isList = (operation.parameters ?? []).some(
        (parameter) => (parameter as { name?: string }).name === 'page',
      );
      const access = operation['x-access'];
      // Routes open to anyone have no caller: no budget is counted, no answer kept for a replay.
      const open = access?.includes('anyone') ?? false;
      if (access) {
        const who = `**Who may call:** ${describeAccess(access)}.`;
        operation.description = operation.description ? `${operation.description}\n\n${who}` : who;
      }
      if (method === 'post' && !open) {
        operation.parameters = [
          ...(operation.parameters ?? []),
          { $ref: '#/components/parameters/IdempotencyKey' },
        ];
      }
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        // Some refusals come before the key's budget is counted (no key, wrong scope), so only
        // these are documented with the headers every one of them carries.
        const success = status.startsWith('2');
        if (!success && status !== '429') continue;
        response.headers = {
          ...response.headers,
          ...(open ? {} : refs(...RATE_LIMIT)),
          ...(status === '429' ? refs('Retry-After') : {}),
          ...(success && isList ? refs('X-Total-Count', 'Link') : {}),
          ...(success && method === 'post' && !open ? refs('Idempotent-Replayed') : {}),
        };
      }
    }
  }
  return document;
}
