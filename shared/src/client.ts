import type { Client, CreateClientInput } from './clients';
import type { Me } from './common';
import type { PairedDevice, ScanListItem, SyncAnswer } from './devices';
import type {
  CreatedPass,
  CreatePassInput,
  Pass,
  PassListItem,
  PassStatusAnswer,
  UpdatePassInput,
} from './passes';
import type { ScanAnswer, ScanRequest } from './scan';

export type ApiResult<T> =
  | { ok: true; status: number; data: T; headers: Headers }
  | { ok: false; status: number; error: string; headers: Headers };

export interface PassgateClientOptions {
  /** Server origin, e.g. `https://passes.example.com` (no `/api/v1`). */
  baseUrl: string;
  /** Without one, only the calls that need no key work (`pairDevice`). */
  apiKey?: string;
  fetch?: typeof fetch;
  /** Headers sent with every request, read at each (the scanner's `X-Device-Time`). */
  headers?: () => Record<string, string>;
}

export interface RequestOptions {
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/** A small typed client for the Passgate REST API, used by the scanner and the tests. */
export function createPassgateClient(options: PassgateClientOptions) {
  const doFetch = options.fetch ?? fetch;
  const base = `${options.baseUrl.replace(/\/$/, '')}/api/v1`;

  async function call<T>(
    method: string,
    path: string,
    body?: unknown,
    request: RequestOptions = {},
  ): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { ...options.headers?.() };
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (request.idempotencyKey) headers['idempotency-key'] = request.idempotencyKey;
    const response = await doFetch(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: request.signal,
    });
    const payload = (await response.json().catch(() => ({}))) as unknown;
    if (response.ok)
      return { ok: true, status: response.status, data: payload as T, headers: response.headers };
    const error = (payload as { error?: unknown }).error;
    return {
      ok: false,
      status: response.status,
      error: typeof error === 'string' ? error : `HTTP ${response.status}`,
      headers: response.headers,
    };
  }

  const query = (params: Record<string, string | number | undefined>) => {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) search.set(k, String(v));
    const text = search.toString();
    return text ? `?${text}` : '';
  };

  return {
    me: (request?: RequestOptions) => call<Me>('GET', '/me', undefined, request),
    scan: (body: ScanRequest, request?: RequestOptions) =>
      call<ScanAnswer>('POST', '/scan', body, request),
    /** A door's copy of the passes: what changed since `cursor` (all of them without one). */
    sync: (cursor: string | undefined, request?: RequestOptions) =>
      call<SyncAnswer>('GET', `/scanner/sync${query({ cursor })}`, undefined, request),
    /** Exchanges a door's one-time pairing token for its credential; needs no key. */
    pairDevice: (token: string, request?: RequestOptions) =>
      call<PairedDevice>('POST', '/devices/pair', { token }, request),
    scans: {
      annul: (id: string, body: { annulledAt?: string } = {}, request?: RequestOptions) =>
        call<ScanListItem>('POST', `/scans/${encodeURIComponent(id)}/annul`, body, request),
    },
    passes: {
      list: (params: { search?: string; status?: string; limit?: number; page?: number } = {}) =>
        call<PassListItem[]>('GET', `/passes${query(params)}`),
      create: (body: CreatePassInput, request?: RequestOptions) =>
        call<CreatedPass>('POST', '/passes', body, request),
      get: (id: string) => call<Pass>('GET', `/passes/${encodeURIComponent(id)}`),
      update: (id: string, body: UpdatePassInput) =>
        call<Pass>('PATCH', `/passes/${encodeURIComponent(id)}`, body),
      activate: (id: string) =>
        call<PassStatusAnswer>('POST', `/passes/${encodeURIComponent(id)}/activate`),
      revoke: (id: string) =>
        call<PassStatusAnswer>('POST', `/passes/${encodeURIComponent(id)}/revoke`),
    },
    clients: {
      list: (params: { search?: string; limit?: number; page?: number } = {}) =>
        call<Client[]>('GET', `/clients${query(params)}`),
      create: (body: CreateClientInput, request?: RequestOptions) =>
        call<Client>('POST', '/clients', body, request),
      get: (id: string) => call<Client>('GET', `/clients/${encodeURIComponent(id)}`),
    },
  };
}
export type PassgateClient = ReturnType<typeof createPassgateClient>;
