import {
  createPassgateClient,
  type RequestOptions,
  requestInit,
  type Schemas,
  settle,
} from '@passgate/client';

/**
 * The calls the tests make most, through the generated `@passgate/client`, each answer settled
 * into `{ ok, status, data | error, headers }` so that a test can assert on the status.
 */
export function createTestClient(options: { baseUrl: string; apiKey: string }) {
  const api = createPassgateClient(options);
  return {
    me: () => settle(api.GET('/me')),
    scan: (body: Schemas['ScanRequest'], request?: RequestOptions) =>
      settle(api.POST('/scan', { body, ...requestInit(request) })),
    passes: {
      list: (
        query: {
          search?: string;
          status?: Schemas['PassListItem']['status'];
          limit?: number;
          page?: number;
        } = {},
      ) => settle(api.GET('/passes', { params: { query } })),
      create: (body: Schemas['CreatePass'], request?: RequestOptions) =>
        settle(api.POST('/passes', { body, ...requestInit(request) })),
      get: (passId: string) =>
        settle(api.GET('/passes/{passId}', { params: { path: { passId } } })),
      update: (passId: string, body: Schemas['UpdatePass']) =>
        settle(api.PATCH('/passes/{passId}', { params: { path: { passId } }, body })),
      activate: (passId: string) =>
        settle(api.POST('/passes/{passId}/activate', { params: { path: { passId } } })),
      revoke: (passId: string) =>
        settle(api.POST('/passes/{passId}/revoke', { params: { path: { passId } } })),
    },
    clients: {
      list: (query: { search?: string; limit?: number; page?: number } = {}) =>
        settle(api.GET('/clients', { params: { query } })),
      create: (body: Schemas['CreateClient'], request?: RequestOptions) =>
        settle(api.POST('/clients', { body, ...requestInit(request) })),
      get: (clientId: string) =>
        settle(api.GET('/clients/{clientId}', { params: { path: { clientId } } })),
    },
  };
}
export type TestClient = ReturnType<typeof createTestClient>;
