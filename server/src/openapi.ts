import type { OpenAPIHono } from '@hono/zod-openapi';
import { IDEMPOTENCY_KEY_PATTERN } from './middleware/idempotency';

type Document = ReturnType<OpenAPIHono['getOpenAPI31Document']>;
type Operation = { parameters?: unknown[]; responses?: Record<string, { headers?: object }> };

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
 * `Idempotent-Replayed` on answers a POST can replay.
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
  for (const item of Object.values(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(item as Record<string, Operation>)) {
      const isList = (operation.parameters ?? []).some(
        (parameter) => (parameter as { name?: string }).name === 'page',
      );
      if (method === 'post') {
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
          ...refs(...RATE_LIMIT),
          ...(status === '429' ? refs('Retry-After') : {}),
          ...(success && isList ? refs('X-Total-Count', 'Link') : {}),
          ...(success && method === 'post' ? refs('Idempotent-Replayed') : {}),
        };
      }
    }
  }
  return document;
}
