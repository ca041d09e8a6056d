import { createHash } from 'node:crypto';
import type { Bundle, HttpRequestOptions, HttpResponse, ZObject } from 'zapier-platform-core';

/**
 * The connection's server as `/api/v1`, however it was typed: with or without a trailing slash
 * or the `/api/v1` itself.
 */
export function apiBase(z: ZObject, bundle: Bundle): string {
  const typed = String(bundle.authData.baseUrl ?? '').trim();
  let url: URL;
  try {
    url = new URL(typed);
  } catch {
    throw new z.errors.Error(
      `"${typed}" is not a web address: give your Passgate server's, such as https://passes.example.com`,
      'InvalidServerUrl',
      400,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new z.errors.Error(
      `The server URL must start with https:// (it starts with ${url.protocol}//)`,
      'InvalidServerUrl',
      400,
    );
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  return `${url.origin}${path}/api/v1`;
}

/** Network failures that mean the server was not reached at all (node-fetch's `FetchError`). */
const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|CERT|SSL/i;

/**
 * A request to the connection's Passgate server: `path` under `/api/v1`, the API key as a
 * bearer token. A server that cannot be reached is said so in words.
 */
export async function api<T = unknown>(
  z: ZObject,
  bundle: Bundle,
  path: string,
  options: HttpRequestOptions = {},
): Promise<HttpResponse<T>> {
  const base = apiBase(z, bundle);
  try {
    return await z.request({
      ...options,
      url: `${base}${path}`,
      headers: { accept: 'application/json', ...options.headers },
      // A 429 reaches `explainRefusals`, which keeps the server's words with its Retry-After.
      throwForThrottlingEarly: false,
    } as HttpRequestOptions & { url: string });
  } catch (error) {
    const { code, message, name } = error as { code?: string; message?: string; name?: string };
    if (name === 'FetchError' || UNREACHABLE.test(`${code ?? ''} ${message ?? ''}`)) {
      throw new z.errors.Error(
        `Could not reach a Passgate server at ${base.replace(/\/api\/v1$/, '')} (${message}). Check the server URL of this connection.`,
        'ServerUnreachable',
        502,
      );
    }
    throw error;
  }
}

/** Every request carries the connection's API key. */
export function includeApiKey(request: HttpRequestOptions, _z: ZObject, bundle: Bundle) {
  if (bundle.authData.apiKey) {
    request.headers = { ...request.headers, authorization: `Bearer ${bundle.authData.apiKey}` };
  }
  return request;
}

/** The server's own `{ "error": "…" }` text, or what the answer was when it has none. */
function errorText(response: HttpResponse): string {
  try {
    const body = JSON.parse(response.content) as { error?: unknown };
    if (typeof body.error === 'string') return body.error;
  } catch {
    // Not JSON: not an answer of Passgate's API.
  }
  return `${response.request.method ?? 'GET'} ${response.request.url} answered ${response.status}, not as a Passgate server would`;
}

/**
 * Turns the server's refusals into Zapier's errors: a 429 (and a 503 that says when to come
 * back) into a throttle that Zapier retries after `Retry-After`; a 401 into words about the
 * key; any other 4xx into the server's own message. Other 5xx are left to Zapier's own handling
 * of a failed request (`throwForStatus`, which Zapier's replay retries).
 */
export function explainRefusals(response: HttpResponse, z: ZObject) {
  const { status } = response;
  if (status < 400) return response;
  const retryAfter = Number(response.getHeader('retry-after'));
  if (status === 429 || (status === 503 && retryAfter > 0)) {
    throw new z.errors.ThrottledError(errorText(response), retryAfter > 0 ? retryAfter : 60);
  }
  if (status === 401) {
    throw new z.errors.Error(
      `Passgate did not accept the API key (${errorText(response)}). Make a full-scope key on your Passgate dashboard's Keys page and reconnect.`,
      'AuthenticationError',
      status,
    );
  }
  if (status < 500) throw new z.errors.Error(errorText(response), 'PassgateRefused', status);
  return response;
}

/**
 * An `Idempotency-Key` for a create: the same Zap, action and input give the same key, so a run
 * Zapier sends again (a retry, a replay) is answered with what the first made, never twice. The
 * server keeps a key 24 h.
 */
export function idempotencyKey(bundle: Bundle, action: string): string {
  const meta = bundle.meta as { zap?: { id?: unknown } } | undefined;
  const digest = createHash('sha256')
    .update(JSON.stringify([meta?.zap?.id ?? null, action, bundle.inputData]))
    .digest('base64url');
  return `zapier-${action}-${digest}`;
}

/** The fields of an input that were given: those left empty in the Zap are left out. */
export function given<T extends Record<string, unknown>>(input: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(input).filter(
      ([, value]) => value !== undefined && value !== null && value !== '',
    ),
  ) as Partial<T>;
}
