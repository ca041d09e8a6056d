import {
  type ApiResult,
  createPassgateClient,
  type RequestOptions,
  requestInit,
  type Schemas,
  settle,
} from '@passgate/client';

export type { ApiResult };

/**
 * What a door calls of the API, through the client generated from the server's OpenAPI document,
 * each answer settled into an `ApiResult`.
 */
export function createDoorApi(options: {
  baseUrl: string;
  apiKey?: string;
  /** Headers sent with every request, read at each (`X-Device-Time`, `X-Device-Queue`). */
  headers?: () => Record<string, string>;
}) {
  const api = createPassgateClient(options);
  return {
    me: (request?: RequestOptions) => settle(api.GET('/me', requestInit(request))),
    scan: (body: Schemas['ScanRequest'], request?: RequestOptions) =>
      settle(api.POST('/scan', { body, ...requestInit(request) })),
    /** The door's copy of the passes: what changed since `cursor` (all of them without one). */
    sync: (cursor: string | undefined, request?: RequestOptions) =>
      settle(
        api.GET('/scanner/sync', {
          params: { query: cursor === undefined ? {} : { cursor } },
          ...requestInit(request),
        }),
      ),
    /** The phone's queued offline scans, in one request; each is answered on its own. */
    uploads: (body: Schemas['UploadRequest'], request?: RequestOptions) =>
      settle(api.POST('/scanner/uploads', { body, ...requestInit(request) })),
    /** Exchanges a door's one-time pairing token for its credential; needs no key. */
    pairDevice: (token: string, request?: RequestOptions) =>
      settle(api.POST('/devices/pair', { body: { token }, ...requestInit(request) })),
    previewPairing: (token: string, request?: RequestOptions) =>
      settle(api.POST('/devices/pair/preview', { body: { token }, ...requestInit(request) })),
    scans: {
      annul: (id: string, body: { annulledAt?: string } = {}, request?: RequestOptions) =>
        settle(
          api.POST('/scans/{scanId}/annul', {
            params: { path: { scanId: id } },
            body,
            ...requestInit(request),
          }),
        ),
    },
  };
}
export type DoorApi = ReturnType<typeof createDoorApi>;
