import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, paths };
/** The API's schemas by name: `Schemas['Pass']`, `Schemas['ScanAnswer']`… */
export type Schemas = components['schemas'];

export interface PassgateClientOptions {
  /** The server's origin, e.g. `https://passes.example.com` (without `/api/v1`). */
  baseUrl: string;
  /** A `2pk_…` key. Without one, requests carry the browser's session cookie, if any. */
  apiKey?: string;
  fetch?: typeof globalThis.fetch;
  /** Headers sent with every request, read at each. */
  headers?: () => Record<string, string>;
}

export type PassgateClient = Client<paths>;

/**
 * A client for `/api/v1` typed by the server's own OpenAPI document (openapi-fetch): every path,
 * parameter, body and answer is checked by TypeScript. Each call answers `{ data, error,
 * response }`: `error` is the API's `{ error }` body when the status is not 2xx.
 */
export function createPassgateClient(options: PassgateClientOptions): PassgateClient {
  const client = createClient<paths>({
    baseUrl: `${options.baseUrl.replace(/\/+$/, '')}/api/v1`,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
  });
  const { headers } = options;
  if (headers) {
    const extraHeaders: Middleware = {
      onRequest({ request }) {
        for (const [name, value] of Object.entries(headers())) request.headers.set(name, value);
        return request;
      },
    };
    client.use(extraHeaders);
  }
  return client;
}
