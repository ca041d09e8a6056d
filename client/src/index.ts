import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { type components, operationAccess, type paths } from './schema';

export type { components, paths };
export { operationAccess };
/** An operation of the API, by its operationId. */
export type OperationId = keyof typeof operationAccess;
/** A kind of caller an operation's `x-access` lists: `anyone`, `scan-key`, `full-key`… */
export type CallerKind = (typeof operationAccess)[OperationId][number];

/** Whether a caller of this kind may call the operation. */
export const mayCall = (operation: OperationId, kind: CallerKind) =>
  (operationAccess[operation] as readonly CallerKind[]).includes(kind);
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

/** A call's answer as one value: its data on success, else the API's error message. */
export type ApiResult<T> =
  | { ok: true; status: number; data: T; headers: Headers }
  | { ok: false; status: number; error: string; headers: Headers };

/**
 * Settles an openapi-fetch call into an `ApiResult`, for callers that branch on the status (a
 * door: 401 wipes it, 429 and 5xx make it decide on the phone). A network failure still throws.
 */
export async function settle<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<ApiResult<T>> {
  const { data, error, response } = await call;
  const { status, headers } = response;
  if (response.ok) return { ok: true, status, data: data as T, headers };
  const message = (error as { error?: unknown } | undefined)?.error;
  return {
    ok: false,
    status,
    error: typeof message === 'string' ? message : `HTTP ${status}`,
    headers,
  };
}

/** Per-call options the door and the tests give: an `Idempotency-Key`, a way to give up. */
export interface RequestOptions {
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/** openapi-fetch's options for a call, from `RequestOptions`. */
export const requestInit = (request: RequestOptions = {}) => ({
  ...(request.signal ? { signal: request.signal } : {}),
  ...(request.idempotencyKey ? { headers: { 'idempotency-key': request.idempotencyKey } } : {}),
});
